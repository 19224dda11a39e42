// Loads gold.recommendations, gold.similar_articles, gold.trending_articles and gold.recent_reads into a
// KeyValueStore as a new version, then swaps the serving pointer: requests never see a half-loaded version (no downtime), and a load
// whose inputs did not change since the served version is skipped. A new version is a layer over the served one
// when it can be (kv-layout.ts): only the people whose list, reads or links changed are written, so a load costs
// what the training run changed, not the number of people.
import { createHash } from 'node:crypto';
import { createDuckDB, createSpillingDuckDB, DeltaTable, type DuckDBSession } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { RecsTrainingError } from '../errors.js';
import type { KeyValueEntry, KeyValueStore } from '../kv/key-value-store.js';
import { LOADING_KEY, POINTER_KEY, VERSIONS_KEY, layersOf, versionPrefix, type CurrentVersion } from './kv-layout.js';
import { LAYERED_TABLES, layerQueries, listChangeCount, listQueries, type ListQuery } from './list-queries.js';

/** Options of `loadRecommendations`. */
export interface LoadOptions {
  dataDir: string;
  store: KeyValueStore;
  /** Versions kept after the swap, the new one included (default 2: a request mid-flight on the old one finishes). */
  keepVersions?: number;
  /** Entries per putMany (default 500). */
  batchSize?: number;
  /**
   * The load's own DuckDB session: its threads (default DuckDB's, every core), memory limit and spill folder (a
   * folder of its own is made under `spillUnder` and removed after the load). A server loading beside the requests it
   * answers gives it fewer threads than the machine has cores.
   */
  session?: { threads?: number; memoryLimitBytes?: number; spillUnder?: string };
  /** Clock (tests). */
  now?: () => number;
  /**
   * Most versions a per-person key may be looked up in (default 8). A load that would go deeper writes one layer
   * of everything changed since the whole version at the bottom instead; `1` loads every version whole.
   */
  maxLayers?: number;
}

/** What a load did. */
export interface LoadResult {
  status: 'loaded' | 'unchanged';
  version: string;
  /** How the version was written: whole, or as a layer of the changes over the served versions. */
  kind?: 'whole' | 'layer';
  /** Versions a per-person key is looked up in, newest first. */
  layers?: string[];
  keys: number;
  deletedVersions: string[];
  ms: number;
}

const TABLES = [
  'gold.recommendations',
  'gold.similar_articles',
  'gold.trending_articles',
  'silver.identities',
  'gold.recent_reads',
] as const;
/** Loaded when present: a lake trained before it existed still loads (its version then names it `x`). */
const OPTIONAL: ReadonlySet<string> = new Set(['gold.recent_reads']);
/**
 * Read at its latest version by every load but not part of the version's name: device links change with live
 * traffic every few seconds, while the lists they point at change only when the gold tables are rebuilt (which
 * read the links themselves). Naming the version by it reloaded the whole store at every refresh.
 */
const UNVERSIONED: ReadonlySet<string> = new Set(['silver.identities']);

/**
 * A load started this long ago and still not finished is taken as abandoned, and the keys it wrote are deleted by
 * the next load. Long enough that a load still running elsewhere (`lens recs load` beside a server) is never taken
 * for one: loads take seconds to minutes.
 */
export const ABANDONED_LOAD_MS = 6 * 60 * 60 * 1000;

/** The DuckDB session of one load (`LoadOptions.session`). */
export async function openLoadSession(options: LoadOptions['session']): Promise<DuckDBSession> {
  const db =
    options?.spillUnder === undefined
      ? await createDuckDB()
      : await createSpillingDuckDB({
          spillUnder: options.spillUnder,
          ...(options.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: options.memoryLimitBytes }),
        });
  try {
    if (options?.spillUnder === undefined && options?.memoryLimitBytes !== undefined)
      await db.run(`SET memory_limit = '${Math.floor(options.memoryLimitBytes)}B'`);
    if (options?.threads !== undefined) await db.run(`SET threads = ${Math.max(1, Math.floor(options.threads))}`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Loads the gold tables' latest versions into `store` and makes them the served version.
 * @example await loadRecommendations({ dataDir: './lens-data', store });
 */
export async function loadRecommendations(options: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const now = options.now ?? Date.now;
  const db = await openLoadSession(options.session);
  try {
    const scans: Record<string, string> = {};
    const tables: Record<string, number> = {};
    const tableIds: Record<string, string> = {};
    const opened: Record<string, DeltaTable> = {};
    for (const name of TABLES) {
      const table = await DeltaTable.open(lakeTablePath(options.dataDir, name), { sql: db });
      opened[name] = table;
      const snap = await table.snapshot().catch((cause: unknown) => {
        if (OPTIONAL.has(name)) return undefined;
        throw new RecsTrainingError(`cannot load recommendations: ${name} is missing (run the pipelines first)`, {
          cause,
          context: { step: 'load', table: name },
        });
      });
      if (snap === undefined) continue;
      tables[name] = snap.version;
      tableIds[name] = snap.metadata.id;
      scans[name] = (await table.scan({ version: snap.version })).sql;
    }
    // Delta versions name the version; the tables' ids make it change when a table is dropped and recreated.
    const named = TABLES.filter((t) => !UNVERSIONED.has(t));
    const ids = named.filter((t) => tables[t] !== undefined).map((t) => `${tableIds[t]}@${tables[t]}`);
    const version = `${named.map((t) => tables[t] ?? 'x').join('-')}-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 8)}`;
    const current = await readPointer(options.store);
    if (current?.version === version)
      return { status: 'unchanged', version, keys: 0, deletedVersions: [], ms: Date.now() - started };
    const abandoned = await startLoading(options.store, version, current, now());
    let plan = await planLayer(db, scans, opened, tableIds, current, options.maxLayers ?? 8).catch(() => undefined);
    let keys: number;
    try {
      try {
        keys = await writeVersion(
          db,
          options,
          plan ? layerQueries(version, scans, plan.before) : listQueries(version, scans),
        );
      } catch (error) {
        if (plan === undefined) throw error;
        // The served tables' files can be gone (vacuumed while the server was down): write the version whole.
        await deleteVersion(options.store, version);
        plan = undefined;
        keys = await writeVersion(db, options, listQueries(version, scans));
      }
    } catch (error) {
      // Not served, never will be: its keys go now (a load killed here leaves them to a later load).
      await deleteVersion(options.store, version)
        .then(() => finishLoading(options.store, version))
        .catch(() => undefined);
      throw error;
    }
    const [ref] = await db.all(`SELECT epoch_ms(max(computed_at)) AS t FROM (${scans['gold.trending_articles']})`);
    const layers = plan ? [version, ...plan.under] : [version];
    const pointer: CurrentVersion = {
      version,
      computedAt: Number(ref?.['t'] ?? now()),
      loadedAt: now(),
      tables,
      layers,
      tableIds,
      baseTables: plan ? plan.baseTables : tables,
    };
    // A pointer kept for requests in flight keeps every layer it reads.
    const loaded = [...(await readVersions(options.store)).filter((v) => v.version !== version), { version, layers }];
    const keep = Math.max(1, options.keepVersions ?? 2);
    const kept = loaded.slice(-keep);
    const needed = new Set(kept.flatMap((v) => v.layers));
    const stale = [...new Set(loaded.slice(0, -keep).flatMap((v) => [v.version, ...v.layers]))].filter(
      (v) => !needed.has(v),
    );
    // The swap and the end of this load's note in one write.
    await options.store.putMany([
      { key: POINTER_KEY, value: JSON.stringify(pointer) },
      { key: VERSIONS_KEY, value: JSON.stringify(kept) },
      ...(await loadingWithout(options.store, version)),
    ]);
    for (const old of stale) await deleteVersion(options.store, old);
    return {
      status: 'loaded',
      version,
      kind: plan ? 'layer' : 'whole',
      layers,
      keys,
      deletedVersions: [...abandoned, ...stale],
      ms: Date.now() - started,
    };
  } finally {
    db.close();
  }
}

/** The served version's pointer, or undefined before the first load. */
export async function readPointer(store: KeyValueStore): Promise<CurrentVersion | undefined> {
  const raw = await store.get(POINTER_KEY);
  return raw === undefined ? undefined : (JSON.parse(raw) as CurrentVersion);
}

async function deleteVersion(store: KeyValueStore, version: string): Promise<void> {
  const doomed = await store.keys(versionPrefix(version));
  for (let i = 0; i < doomed.length; i += 1000) await store.deleteMany(doomed.slice(i, i + 1000));
}

/** The loads under way (LOADING_KEY); a value that cannot be read is taken as none. */
async function readLoading(store: KeyValueStore): Promise<{ version: string; startedAt: number }[]> {
  const raw = await store.get(LOADING_KEY);
  if (raw === undefined) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list)
      ? list.filter(
          (l): l is { version: string; startedAt: number } =>
            typeof l?.version === 'string' && typeof l?.startedAt === 'number',
        )
      : [];
  } catch {
    return [];
  }
}

/**
 * Notes that `version` is being written, and deletes the keys of loads abandoned (started ABANDONED_LOAD_MS ago,
 * never finished) whose versions nothing serves. Returns the versions deleted.
 */
async function startLoading(
  store: KeyValueStore,
  version: string,
  current: CurrentVersion | undefined,
  nowMs: number,
): Promise<string[]> {
  const loading = await readLoading(store);
  const served = new Set([
    ...(current === undefined ? [] : layersOf(current)),
    ...(await readVersions(store)).flatMap((v) => [v.version, ...v.layers]),
  ]);
  const abandoned = loading
    .filter((l) => l.version !== version && nowMs - l.startedAt > ABANDONED_LOAD_MS && !served.has(l.version))
    .map((l) => l.version);
  for (const old of abandoned) await deleteVersion(store, old);
  const still = loading.filter((l) => l.version !== version && !abandoned.includes(l.version));
  await store.putMany([{ key: LOADING_KEY, value: JSON.stringify([...still, { version, startedAt: nowMs }]) }]);
  return abandoned;
}

/** The write that drops `version` from the loads under way (none when it is not listed). */
async function loadingWithout(store: KeyValueStore, version: string): Promise<KeyValueEntry[]> {
  const loading = await readLoading(store);
  if (!loading.some((l) => l.version === version)) return [];
  return [{ key: LOADING_KEY, value: JSON.stringify(loading.filter((l) => l.version !== version)) }];
}

/** `version` is gone (its load failed): no longer a load under way. */
async function finishLoading(store: KeyValueStore, version: string): Promise<void> {
  const entries = await loadingWithout(store, version);
  if (entries.length > 0) await store.putMany(entries);
}

/** The versions loaded, oldest first, each with the layers its pointer reads (a store written before layers: names). */
async function readVersions(store: KeyValueStore): Promise<{ version: string; layers: string[] }[]> {
  const raw = await store.get(VERSIONS_KEY);
  const list = raw === undefined ? [] : (JSON.parse(raw) as (string | { version: string; layers: string[] })[]);
  return list.map((v) => (typeof v === 'string' ? { version: v, layers: [v] } : v));
}

/** How a new version sits on the served one: the scans to diff against and the layers under it. */
interface LayerPlan {
  before: Record<string, string>;
  under: string[];
  baseTables: Record<string, number>;
}

/**
 * A layer over the served version when its layered tables are the same tables (ids) at versions still readable;
 * a layer that would go deeper than `maxLayers` is diffed against the bottom (whole) version instead, unless more
 * than half the people's lists changed since it (then a whole version is as cheap, and starts afresh). Undefined:
 * write the version whole (first load, a table recreated, maxLayers 1); it throws when an old version cannot be read
 * (the caller then writes whole too).
 */
async function planLayer(
  db: DuckDBSession,
  scans: Record<string, string>,
  opened: Record<string, DeltaTable>,
  tableIds: Record<string, string>,
  current: CurrentVersion | undefined,
  maxLayers: number,
): Promise<LayerPlan | undefined> {
  if (current?.tableIds === undefined || current.baseTables === undefined || maxLayers < 2) return undefined;
  const served = layersOf(current);
  const deep = served.length + 1 > maxLayers;
  const from = deep ? current.baseTables : current.tables;
  const before: Record<string, string> = {};
  for (const table of LAYERED_TABLES) {
    if (tableIds[table] === undefined) continue;
    if (current.tableIds[table] !== tableIds[table]) return undefined;
    const version = from[table];
    if (version === undefined) continue; // loaded before it existed: all its keys are new
    before[table] = (await opened[table]!.scan({ version })).sql; // unreadable: the caller writes whole
  }
  if (deep && before['gold.recommendations'] !== undefined) {
    let changed = 0;
    let people = 0;
    const { sql, buckets } = listChangeCount(scans, before);
    for (let b = 0; b < buckets; b++) {
      const [row] = await db.all(sql(b, buckets));
      changed += Number(row?.['changed'] ?? 0);
      people += Number(row?.['people'] ?? 0);
    }
    if (changed > people / 2) return undefined;
  }
  return { before, under: deep ? [served[served.length - 1]!] : [...served], baseTables: current.baseTables };
}

async function writeVersion(db: DuckDBSession, options: LoadOptions, queries: ListQuery[]): Promise<number> {
  const batch = options.batchSize ?? 500;
  let written = 0;
  let pending: KeyValueEntry[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    await options.store.putMany(pending);
    written += pending.length;
    pending = [];
    // The embedded store writes synchronously and its promise is already settled: without a turn of the event loop
    // here, a bucket's writes ran back to back while anything else on this thread waited (stalls of up to ~125 ms
    // when the server still loaded on its serving thread).
    await new Promise((resolve) => setImmediate(resolve));
  };
  for (const { sql, buckets } of queries) {
    for (let b = 0; b < buckets; b++) {
      for (const row of await db.all(sql(b, buckets))) {
        pending.push({ key: String(row['key']), value: String(row['value']) });
        if (pending.length >= batch) await flush();
      }
    }
  }
  await flush();
  return written;
}
