// Action reconciliation (PROTOCOL.md "Action Reconciliation"): replays checkpoint and commit actions in
// order into the table state — latest protocol/metadata, txn per appId, live files and tombstones keyed by
// (canonical path, deletion-vector id), domain metadata.
import type { Sql } from '../duckdb/sql.js';
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
  tombstones: TombstoneSet;
  txns: Map<string, TxnAction>;
  domains: Map<string, DomainMetadataAction>;
}

/** A fresh empty state. */
export function emptyState(): TableState {
  return {
    protocol: undefined,
    metadata: undefined,
    files: new Map(),
    tombstones: new TombstoneSet(),
    txns: new Map(),
    domains: new Map(),
  };
}

/** A copy of a state that later actions can change without touching the original (tombstones share their base). */
export function forkState(state: TableState): TableState {
  return {
    protocol: state.protocol,
    metadata: state.metadata,
    files: new Map(state.files),
    tombstones: state.tombstones.fork(),
    txns: new Map(state.txns),
    domains: new Map(state.domains),
  };
}

/**
 * A checkpoint's tombstones, read when first needed: only a checkpoint writer and VACUUM need them, and a week of a
 * busy table's is ~600,000 rows — seconds of a first load that a reader (the server, `lens query`, Prism reading its
 * inputs) would otherwise wait for. `read` failing (the checkpoint deleted since) rejects `load`; a later call tries
 * again.
 */
export class LazyTombstones {
  map: ReadonlyMap<string, RemoveAction> | undefined;
  #loading: Promise<ReadonlyMap<string, RemoveAction>> | undefined;

  constructor(private readonly read: (sql: Sql) => Promise<ReadonlyMap<string, RemoveAction>>) {}

  /** Reads them (once; with the first caller's engine). */
  load(sql: Sql): Promise<ReadonlyMap<string, RemoveAction>> {
    return (this.#loading ??= this.read(sql).then(
      (map) => (this.map = map),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    ));
  }
}

/** Raised by a read of tombstones that were not loaded (`TombstoneSet.load`, `loadTombstones`) first. */
export class TombstonesNotLoadedError extends Error {
  constructor() {
    super("the table state's tombstones were not loaded (await loadTombstones(snapshot) first)");
    this.name = 'TombstonesNotLoadedError';
  }
}

/**
 * The tombstones of a state: a base that is never changed once shared, plus what later actions did to it. A table
 * written every second keeps ~10^5–10^6 tombstones (every file removed in `deletedFileRetentionDuration`), so a
 * reload that replays a few commits copies those commits' changes, not every tombstone. The base may be a
 * checkpoint's, read on first need (`LazyTombstones`): until then it is changed without being read.
 */
export class TombstoneSet {
  readonly #base: ReadonlyMap<string, RemoveAction> | LazyTombstones;
  readonly #added: Map<string, RemoveAction>;
  /**
   * Keys of the base added back as live files since (no longer tombstones, unless removed again: in #added). While
   * a lazy base is unread, every key added back is kept here: one that is not in the base reads the same.
   */
  readonly #revived: Set<string>;

  constructor(
    base: ReadonlyMap<string, RemoveAction> | LazyTombstones = new Map(),
    added = new Map<string, RemoveAction>(),
    revived = new Set<string>(),
  ) {
    this.#base = base;
    this.#added = added;
    this.#revived = revived;
  }

  /** The base's tombstones; throws when it is a checkpoint's not read yet. */
  get #baseMap(): ReadonlyMap<string, RemoveAction> {
    if (!(this.#base instanceof LazyTombstones)) return this.#base;
    if (this.#base.map === undefined) throw new TombstonesNotLoadedError();
    return this.#base.map;
  }

  /** Whether every tombstone can be read (the base is not a checkpoint's still unread). */
  get loaded(): boolean {
    return !(this.#base instanceof LazyTombstones) || this.#base.map !== undefined;
  }

  /** Reads the base when it is a checkpoint's not read yet. */
  async load(sql: Sql): Promise<void> {
    if (this.#base instanceof LazyTombstones) await this.#base.load(sql);
  }

  set(key: string, remove: RemoveAction): void {
    this.#added.set(key, remove);
  }

  delete(key: string): void {
    this.#added.delete(key);
    if (!this.loaded || this.#baseMap.has(key)) this.#revived.add(key);
  }

  get(key: string): RemoveAction | undefined {
    const added = this.#added.get(key);
    if (added !== undefined || this.#revived.has(key)) return added;
    return this.#baseMap.get(key);
  }

  /**
   * The keys whose tombstone differs between this set and `other` (a key without one on either side included):
   * when the two share a base, only their changes are compared, not the base's ~10^5–10^6 entries.
   */
  *differingKeys(other: TombstoneSet): IterableIterator<string> {
    if (this.#base !== other.#base) {
      for (const [k, remove] of this.entries()) if (other.get(k) !== remove) yield k;
      for (const [k] of other.entries()) if (this.get(k) === undefined) yield k;
      return;
    }
    const seen = new Set<string>();
    for (const keys of [this.#added.keys(), this.#revived, other.#added.keys(), other.#revived])
      for (const k of keys) {
        if (seen.has(k)) continue;
        seen.add(k);
        if (this.get(k) !== other.get(k)) yield k;
      }
  }

  /** A copy sharing the base. */
  fork(): TombstoneSet {
    return new TombstoneSet(this.#base, new Map(this.#added), new Set(this.#revived));
  }

  /** How many changes sit on the base, and the base's size (see `compacted`; the base must be loaded). */
  get changes(): number {
    return this.#added.size + this.#revived.size;
  }
  get baseSize(): number {
    return this.#baseMap.size;
  }

  *entries(): IterableIterator<[string, RemoveAction]> {
    for (const entry of this.#baseMap) if (!this.#revived.has(entry[0]) && !this.#added.has(entry[0])) yield entry;
    yield* this.#added;
  }

  values(): RemoveAction[] {
    const out: RemoveAction[] = [];
    for (const [, remove] of this.entries()) out.push(remove);
    return out;
  }

  /** The same tombstones as one base, without those deleted at or before `expiredBefore` (a checkpoint drops them too). */
  compacted(expiredBefore = -Infinity): TombstoneSet {
    const base = new Map<string, RemoveAction>();
    for (const [key, remove] of this.entries())
      if ((remove.deletionTimestamp ?? Infinity) > expiredBefore) base.set(key, remove);
    return new TombstoneSet(base);
  }
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
