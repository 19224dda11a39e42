// A snapshot: the table's reconciled state at one version, loaded from a checkpoint plus later commits.
// Validates the protocol before anything else so unsupported tables fail with the feature's name.
import type { Sql } from './duckdb/sql.js';
import { DeltaProtocolError } from './errors.js';
import type {
  Action,
  AddAction,
  DomainMetadataAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './log/actions.js';
import { parseCommit } from './log/actions.js';
import { readCheckpointActions } from './log/checkpoint-reader.js';
import { applyAction, emptyState } from './log/log-replay.js';
import { buildLogSegment } from './log/log-segment.js';
import { checkReadable } from './log/protocol-check.js';
import { parseSchema, type DeltaField, type DeltaStructType } from './schema/delta-schema.js';
import type { ObjectStore } from './storage/object-store.js';

/** An immutable view of a table at one version. */
export interface Snapshot {
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metadata: MetadataAction;
  readonly schema: DeltaStructType;
  readonly partitionColumns: readonly string[];
  /** Live data files (adds not removed). */
  readonly files: readonly AddAction[];
  /** Removed files still tracked as tombstones. */
  readonly tombstones: readonly RemoveAction[];
  /** Latest txn per application id. */
  readonly txns: ReadonlyMap<string, TxnAction>;
  readonly domains: ReadonlyMap<string, DomainMetadataAction>;
  /** Column-mapping mode: `none`, `name` or `id`. */
  readonly columnMapping: 'none' | 'name' | 'id';
  /** Partition column fields, in partitionColumns order. */
  readonly partitionFields: readonly DeltaField[];
}

/**
 * The parsed actions of the last checkpoint a table's snapshots were loaded from. A checkpoint file holds one
 * version's state and is never changed once written, so a writer that reloads its table after every commit
 * (the loader) reads it with DuckDB once per checkpoint instead of once per load — and so does a process that
 * opens the table again for every run (Prism's scheduler): the cache is shared per table location
 * (`checkpointCacheFor`).
 */
export interface CheckpointCache {
  keys?: string;
  actions?: readonly Action[];
}

const sharedCheckpointCaches = new Map<string, CheckpointCache>();
/** Tables whose last checkpoint a process keeps parsed (the least recently opened goes first). */
const SHARED_CHECKPOINT_TABLES = 64;

/** The checkpoint cache of the table at `location` (a store's description), shared by every DeltaTable opened there. */
export function checkpointCacheFor(location: string): CheckpointCache {
  let cache = sharedCheckpointCaches.get(location);
  if (cache)
    sharedCheckpointCaches.delete(location); // re-inserted: now the most recent
  else cache = {};
  sharedCheckpointCaches.set(location, cache);
  if (sharedCheckpointCaches.size > SHARED_CHECKPOINT_TABLES)
    sharedCheckpointCaches.delete(sharedCheckpointCaches.keys().next().value!);
  return cache;
}

/** Loads the snapshot at `version` (latest when omitted). */
export async function loadSnapshot(
  store: ObjectStore,
  sql: Sql,
  version?: number,
  cache?: CheckpointCache,
): Promise<Snapshot> {
  const segment = await buildLogSegment(store, version);
  const state = emptyState();
  if (segment.checkpoint) {
    const keys = segment.checkpoint.files.map((f) => f.key);
    // With the files' times: a table removed and written again at the same place has new files of the same names.
    const id = segment.checkpoint.files.map((f) => `${f.key}@${f.lastModified}`).join('\n');
    let actions = cache?.keys === id ? cache.actions : undefined;
    if (actions === undefined) {
      actions = await readCheckpointActions(store, sql, keys);
      if (cache) Object.assign(cache, { keys: id, actions });
    }
    for (const a of actions) applyAction(state, a);
  }
  const texts = await Promise.all(segment.commits.map(async (c) => new TextDecoder().decode(await store.get(c.key))));
  for (const [i, text] of texts.entries()) {
    let actions;
    try {
      actions = parseCommit(text);
    } catch (error) {
      throw new DeltaProtocolError(
        `commit ${segment.commits[i]?.key} is not valid JSON`,
        { table: store.description },
        { cause: error },
      );
    }
    for (const a of actions) applyAction(state, a);
  }
  const { protocol, metadata } = state;
  if (!protocol)
    throw new DeltaProtocolError(`table state at version ${segment.version} has no protocol action`, {
      table: store.description,
      version: segment.version,
    });
  if (!metadata)
    throw new DeltaProtocolError(`table state at version ${segment.version} has no metaData action`, {
      table: store.description,
      version: segment.version,
    });
  checkReadable(protocol);
  const mode = metadata.configuration['delta.columnMapping.mode'];
  let schema: DeltaStructType | undefined;
  let partitionFields: DeltaField[] | undefined;
  // Schema parsing is lazy: log-level questions (files, txns) work even when the schema is unusable.
  const getSchema = (): DeltaStructType => (schema ??= parseSchema(metadata.schemaString));
  return {
    version: segment.version,
    protocol,
    metadata,
    get schema() {
      return getSchema();
    },
    partitionColumns: metadata.partitionColumns,
    files: [...state.files.values()],
    tombstones: [...state.tombstones.values()],
    txns: state.txns,
    domains: state.domains,
    columnMapping: mode === 'name' || mode === 'id' ? mode : 'none',
    get partitionFields() {
      return (partitionFields ??= metadata.partitionColumns.map((name) => {
        const fields = getSchema().fields;
        const field =
          fields.find((f) => f.name === name) ?? fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
        if (!field) throw new DeltaProtocolError(`partition column ${name} is not in the schema`, { column: name });
        return field;
      }));
    },
  };
}
