// A snapshot: the table's reconciled state at one version, loaded from a checkpoint plus later commits.
// Validates the protocol before anything else so unsupported tables fail with the feature's name.
import { sharedDuckDB, type Sql } from './duckdb/sql.js';
import { DeltaProtocolError, ObjectNotFoundError } from './errors.js';
import type {
  AddAction,
  DomainMetadataAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './log/actions.js';
import { parseCommit } from './log/actions.js';
import { readCheckpointActions, readCheckpointTombstones } from './log/checkpoint-reader.js';
import { commitKey, probeCommits } from './log/log-files.js';
import {
  applyAction,
  emptyState,
  fileKey,
  forkState,
  LazyTombstones,
  TombstoneSet,
  type TableState,
} from './log/log-replay.js';
import { buildLogSegment } from './log/log-segment.js';
import { checkReadable } from './log/protocol-check.js';
import { parseSchema, type DeltaField, type DeltaStructType } from './schema/delta-schema.js';
import { DEFAULT_MEMORY_DESCRIPTION } from './storage/memory/memory-object-store.js';
import { mapBounded } from './storage/map-bounded.js';
import type { ObjectStore } from './storage/object-store.js';
import { parseInterval } from './write/interval.js';

/** Default `delta.deletedFileRetentionDuration`, as the checkpoint writer and VACUUM count it. */
export const DEFAULT_TOMBSTONE_RETENTION = 'interval 7 days';

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
 * What a process keeps of a table's log between loads, shared by every DeltaTable opened on one location
 * (`snapshotCacheFor`): the state at the last checkpoint it read, and the newest state it loaded. A writer that
 * reloads its table after every commit (the loader), or a process that opens a table again for every run (Prism's
 * scheduler, the server's queries), then reads only the commits written since — not the checkpoint again, and
 * not a listing of `_delta_log`, which holds a file per commit for `delta.logRetentionDuration` (30 days).
 */
export interface SnapshotCache {
  /** The state a checkpoint holds, with the checkpoint's identity (its files' keys and times). */
  checkpoint?: {
    id: string;
    version: number;
    files: readonly { key: string; lastModified: number }[];
    state: TableState;
  };
  /** The newest state loaded, with the text of its version's commit: a table written again at the same place differs. */
  latest?: { version: number; commitText: string; state: TableState };
  /** The last checkpoint this process wrote, with its file's time and the state it holds (see checkpoint-writer). */
  written?: { version: number; key: string; lastModified: number; state: TableState };
}

const sharedSnapshotCaches = new Map<string, SnapshotCache>();
/** Tables whose states a process keeps (the least recently opened goes first). */
const SHARED_SNAPSHOT_TABLES = 64;

/**
 * The snapshot cache of the table on `store`, shared by every DeltaTable opened on the same location; undefined for
 * an in-memory store left with the default description (two of them are two tables under one name).
 */
export function snapshotCacheFor(store: ObjectStore): SnapshotCache | undefined {
  const location = store.description;
  if (location === DEFAULT_MEMORY_DESCRIPTION) return undefined;
  let cache = sharedSnapshotCaches.get(location);
  if (cache)
    sharedSnapshotCaches.delete(location); // re-inserted: now the most recent
  else cache = {};
  sharedSnapshotCaches.set(location, cache);
  if (sharedSnapshotCaches.size > SHARED_SNAPSHOT_TABLES)
    sharedSnapshotCaches.delete(sharedSnapshotCaches.keys().next().value!);
  return cache;
}

/** Commits read ahead of a cached state at most; further behind, a checkpoint is the cheaper way. */
const FORWARD_COMMITS_MAX = 1000;

/**
 * Loads the snapshot at `version` (latest when omitted). `cache` defaults to the location's shared one; pass
 * `null` to load from the log alone.
 */
export async function loadSnapshot(
  store: ObjectStore,
  sql: Sql,
  version?: number,
  cache: SnapshotCache | null | undefined = snapshotCacheFor(store),
): Promise<Snapshot> {
  const latest = cache?.latest;
  if (latest && (version === undefined || version >= latest.version)) {
    const forward = await loadForward(store, latest, version);
    if (forward) {
      if (cache) cache.latest = forward;
      return snapshotOf(forward.state, forward.version);
    }
  }
  const segment = await buildLogSegment(store, version);
  let state = emptyState();
  if (segment.checkpoint) {
    const keys = segment.checkpoint.files.map((f) => f.key);
    // With the files' times: a table removed and written again at the same place has new files of the same names.
    const id = segment.checkpoint.files.map((f) => `${f.key}@${f.lastModified}`).join('\n');
    let base = cache?.checkpoint?.id === id ? cache.checkpoint.state : undefined;
    if (base === undefined) {
      base = emptyState();
      for (const a of await readCheckpointActions(store, sql, keys, false)) applyAction(base, a);
      base.tombstones = new TombstoneSet(lazyTombstones(store, keys, cache));
      if (cache)
        cache.checkpoint = { id, version: segment.checkpoint.version, files: segment.checkpoint.files, state: base };
    }
    state = forkState(base);
  }
  const texts = await mapBounded(segment.commits, (c) => readText(store, c.key));
  replayCommits(
    state,
    texts,
    segment.commits.map((c) => c.key),
    store,
  );
  // A load of the newest version replaces the kept state even when it is older (a table written again here).
  if (cache && (version === undefined || cache.latest === undefined || segment.version >= cache.latest.version)) {
    const commitText = texts.at(-1) ?? (await readCommitText(store, segment.version));
    if (commitText !== undefined) cache.latest = { version: segment.version, commitText, state: settle(state) };
  }
  return snapshotOf(state, segment.version);
}

/**
 * The state at `target` (the newest when undefined) from a cached state and the commits after it, asked for by
 * name; undefined when that cannot be done: the table was written again, the target is not there yet, or the
 * cached state is too far behind.
 */
async function loadForward(
  store: ObjectStore,
  latest: NonNullable<SnapshotCache['latest']>,
  target: number | undefined,
): Promise<SnapshotCache['latest']> {
  // Log clean-up removes a prefix of the versions: while this commit is there, every later one is.
  if ((await readCommitText(store, latest.version)) !== latest.commitText) return undefined;
  const first = latest.version + 1;
  const texts = await probeCommits(first, target, (v) => readCommitText(store, v), {
    widest: 16,
    max: FORWARD_COMMITS_MAX,
  });
  if (texts === undefined) return undefined;
  if (texts.length === 0) return latest;
  const state = forkState(latest.state);
  replayCommits(
    state,
    texts,
    texts.map((_, i) => commitKey(first + i)),
    store,
  );
  return { version: first + texts.length - 1, commitText: texts.at(-1) as string, state: settle(state) };
}

/** Applies commits' actions in order; a commit that is not JSON is a protocol error naming it. */
function replayCommits(state: TableState, texts: readonly string[], keys: readonly string[], store: ObjectStore): void {
  for (const [i, text] of texts.entries()) {
    let actions;
    try {
      actions = parseCommit(text);
    } catch (error) {
      throw new DeltaProtocolError(
        `commit ${keys[i]} is not valid JSON`,
        { table: store.description },
        { cause: error },
      );
    }
    for (const a of actions) applyAction(state, a);
  }
}

/** A checkpoint's tombstones, read on first need (see LazyTombstones). */
function lazyTombstones(store: ObjectStore, keys: string[], cache: SnapshotCache | null | undefined): LazyTombstones {
  return new LazyTombstones(async (sql) => {
    try {
      const base = new Map<string, RemoveAction>();
      for (const remove of await readCheckpointTombstones(store, sql, keys)) base.set(fileKey(remove), remove);
      return base;
    } catch (error) {
      // The checkpoint is gone (thinned, or the table written again): the process's next load starts afresh.
      if (cache) {
        cache.checkpoint = undefined;
        cache.latest = undefined;
        cache.written = undefined;
      }
      throw error;
    }
  });
}

/**
 * The snapshot's tombstones, reading its checkpoint's first when they were not read yet (with `sql`, else the
 * process-wide DuckDB). `Snapshot.tombstones` throws TombstonesNotLoadedError until then.
 */
export async function loadTombstones(snapshot: Snapshot, sql?: Sql): Promise<readonly RemoveAction[]> {
  const state = stateOf(snapshot);
  if (state && !state.tombstones.loaded) await state.tombstones.load(sql ?? (await sharedDuckDB()));
  return snapshot.tombstones;
}

/**
 * A state fit to keep: once the tombstones' changes outweigh their base, they are folded into a new one and those
 * past the table's retention dropped, as a checkpoint would — else a process that never reads a checkpoint again
 * would keep every tombstone since it started. A checkpoint's tombstones not read yet are read in the background
 * then, and folded at a later load.
 */
function settle(state: TableState): TableState {
  const { tombstones } = state;
  if (!tombstones.loaded) {
    if (tombstones.changes > 10_000)
      void sharedDuckDB()
        .then((sql) => tombstones.load(sql))
        .catch(() => undefined);
    return state;
  }
  if (tombstones.changes <= Math.max(10_000, tombstones.baseSize / 2)) return state;
  let expiredBefore = -Infinity;
  try {
    expiredBefore =
      Date.now() -
      parseInterval(state.metadata?.configuration['delta.deletedFileRetentionDuration'] ?? DEFAULT_TOMBSTONE_RETENTION);
  } catch {
    // An unreadable retention keeps every tombstone (as the checkpoint writer fails rather than guess).
  }
  return { ...state, tombstones: tombstones.compacted(expiredBefore) };
}

async function readText(store: ObjectStore, key: string): Promise<string> {
  return new TextDecoder().decode(await store.get(key));
}

/** The text of a version's commit, or undefined when there is no such file. */
async function readCommitText(store: ObjectStore, version: number): Promise<string | undefined> {
  try {
    return await readText(store, commitKey(version));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}

/** The reconciled state a snapshot was made from (not enumerable: a copy made with a spread has none). */
const STATE = Symbol('lens.tableState');

/** The state behind a snapshot this module loaded; undefined for one made by hand. */
export function stateOf(snapshot: Snapshot): TableState | undefined {
  return (snapshot as Snapshot & { [STATE]?: TableState })[STATE];
}

function snapshotOf(state: TableState, version: number): Snapshot {
  return Object.defineProperty(snapshotFields(state, version), STATE, { value: state, enumerable: false });
}

function snapshotFields(state: TableState, version: number): Snapshot {
  const { protocol, metadata } = state;
  if (!protocol) throw new DeltaProtocolError(`table state at version ${version} has no protocol action`, { version });
  if (!metadata) throw new DeltaProtocolError(`table state at version ${version} has no metaData action`, { version });
  checkReadable(protocol);
  const mode = metadata.configuration['delta.columnMapping.mode'];
  let schema: DeltaStructType | undefined;
  let partitionFields: DeltaField[] | undefined;
  // Schema parsing is lazy: log-level questions (files, txns) work even when the schema is unusable.
  const getSchema = (): DeltaStructType => (schema ??= parseSchema(metadata.schemaString));
  let tombstones: RemoveAction[] | undefined;
  const fields: Omit<Snapshot, 'tombstones'> = {
    version,
    protocol,
    metadata,
    get schema() {
      return getSchema();
    },
    partitionColumns: metadata.partitionColumns,
    files: [...state.files.values()],
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
  // Built on first use: only checkpoints and VACUUM read them, and a busy table has ~10^5 or more; a checkpoint's
  // are read by loadTombstones first (else TombstonesNotLoadedError). Not enumerable: a copy made with a spread
  // (a scan over some of the files) neither has nor reads them.
  return Object.defineProperty(fields, 'tombstones', {
    get: () => (tombstones ??= state.tombstones.values()),
    enumerable: false,
  }) as Snapshot;
}
