// Action reconciliation (PROTOCOL.md "Action Reconciliation"): replays checkpoint and commit actions in
// order into the table state — latest protocol/metadata, txn per appId, live files and tombstones keyed by
// (canonical path, deletion-vector id), domain metadata.
import { deletionVectorId } from '../dv/deletion-vector.js';
import type {
  Action,
  AddAction,
  DomainMetadataAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './actions.js';

/** The reconciled state of a table at one version. */
export interface TableState {
  protocol: ProtocolAction | undefined;
  metadata: MetadataAction | undefined;
  files: Map<string, AddAction>;
  tombstones: Map<string, RemoveAction>;
  txns: Map<string, TxnAction>;
  domains: Map<string, DomainMetadataAction>;
}

/** A fresh empty state. */
export function emptyState(): TableState {
  return {
    protocol: undefined,
    metadata: undefined,
    files: new Map(),
    tombstones: new Map(),
    txns: new Map(),
    domains: new Map(),
  };
}

/**
 * Canonical form of a log path, so differently encoded spellings of one file match (the spec stores
 * relative paths as URL-encoded URIs; Spark compares them after `new Path(new URI(p))`).
 */
export function canonicalPath(path: string): string {
  let p = path;
  try {
    p = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: compare as written.
  }
  // Unqualified absolute paths resolve against the local file system, as Hadoop's default FS does.
  if (p.startsWith('/')) return `file:${p}`;
  return p.replace(/^file:\/\/\//, 'file:/');
}

/** The reconciliation key of an add or remove. */
export function fileKey(a: { path: string; deletionVector?: AddAction['deletionVector'] }): string {
  return `${canonicalPath(a.path)}\u0000${deletionVectorId(a.deletionVector)}`;
}

/** Applies one action to the state (actions must be applied in log order). */
export function applyAction(state: TableState, action: Action): void {
  if (action.add) {
    const key = fileKey(action.add);
    state.files.set(key, action.add);
    state.tombstones.delete(key);
  } else if (action.remove) {
    const key = fileKey(action.remove);
    state.files.delete(key);
    state.tombstones.set(key, action.remove);
  } else if (action.metaData) {
    state.metadata = action.metaData;
  } else if (action.protocol) {
    state.protocol = action.protocol;
  } else if (action.txn) {
    state.txns.set(action.txn.appId, action.txn);
  } else if (action.domainMetadata) {
    if (action.domainMetadata.removed) state.domains.delete(action.domainMetadata.domain);
    else state.domains.set(action.domainMetadata.domain, action.domainMetadata);
  }
}
