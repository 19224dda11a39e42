// Loads gold.recommendations, gold.similar_articles, gold.trending_articles and gold.recent_reads into a
// KeyValueStore as a new version, then swaps the serving pointer: requests never see a half-loaded version (no downtime), and a load
// whose inputs did not change since the served version is skipped.
import { createHash } from 'node:crypto';
import { createDuckDB, DeltaTable, type DuckDBSession } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { RecsTrainingError } from '../errors.js';
import type { KeyValueEntry, KeyValueStore } from '../kv/key-value-store.js';
import { POINTER_KEY, VERSIONS_KEY, versionPrefix, type CurrentVersion } from './kv-layout.js';
import { listQueries } from './list-queries.js';

/** Options of `loadRecommendations`. */
export interface LoadOptions {
  dataDir: string;
  store: KeyValueStore;
  /** Versions kept after the swap, the new one included (default 2: a request mid-flight on the old one finishes). */
  keepVersions?: number;
  /** Entries per putMany (default 500). */
  batchSize?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** What a load did. */
export interface LoadResult {
  status: 'loaded' | 'unchanged';
  version: string;
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
 * Loads the gold tables' latest versions into `store` and makes them the served version.
 * @example await loadRecommendations({ dataDir: './lens-data', store });
 */
export async function loadRecommendations(options: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const now = options.now ?? Date.now;
  const db = await createDuckDB();
  try {
    const scans: Record<string, string> = {};
    const tables: Record<string, number> = {};
    const ids: string[] = [];
    for (const name of TABLES) {
      const table = await DeltaTable.open(lakeTablePath(options.dataDir, name), { sql: db });
      const snap = await table.snapshot().catch((cause: unknown) => {
        if (OPTIONAL.has(name)) return undefined;
        throw new RecsTrainingError(`cannot load recommendations: ${name} is missing (run the pipelines first)`, {
          cause,
          context: { step: 'load', table: name },
        });
      });
      if (snap === undefined) continue;
      tables[name] = snap.version;
      if (!UNVERSIONED.has(name)) ids.push(`${snap.metadata.id}@${snap.version}`);
      scans[name] = (await table.scan({ version: snap.version })).sql;
    }
    // Delta versions name the version; the tables' ids make it change when a table is dropped and recreated.
    const named = TABLES.filter((t) => !UNVERSIONED.has(t));
    const version = `${named.map((t) => tables[t] ?? 'x').join('-')}-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 8)}`;
    const current = await readPointer(options.store);
    if (current?.version === version)
      return { status: 'unchanged', version, keys: 0, deletedVersions: [], ms: Date.now() - started };
    const keys = await writeVersion(db, options, version, scans);
    const [ref] = await db.all(`SELECT epoch_ms(max(computed_at)) AS t FROM (${scans['gold.trending_articles']})`);
    const pointer: CurrentVersion = { version, computedAt: Number(ref?.['t'] ?? now()), loadedAt: now(), tables };
    const versions = [...(await readVersions(options.store)).filter((v) => v !== version), version];
    const keep = Math.max(1, options.keepVersions ?? 2);
    const stale = versions.slice(0, Math.max(0, versions.length - keep));
    await options.store.putMany([
      { key: POINTER_KEY, value: JSON.stringify(pointer) },
      { key: VERSIONS_KEY, value: JSON.stringify(versions.slice(-keep)) },
    ]);
    for (const old of stale) {
      const doomed = await options.store.keys(versionPrefix(old));
      for (let i = 0; i < doomed.length; i += 1000) await options.store.deleteMany(doomed.slice(i, i + 1000));
    }
    return { status: 'loaded', version, keys, deletedVersions: stale, ms: Date.now() - started };
  } finally {
    db.close();
  }
}

/** The served version's pointer, or undefined before the first load. */
export async function readPointer(store: KeyValueStore): Promise<CurrentVersion | undefined> {
  const raw = await store.get(POINTER_KEY);
  return raw === undefined ? undefined : (JSON.parse(raw) as CurrentVersion);
}

async function readVersions(store: KeyValueStore): Promise<string[]> {
  const raw = await store.get(VERSIONS_KEY);
  return raw === undefined ? [] : (JSON.parse(raw) as string[]);
}

async function writeVersion(
  db: DuckDBSession,
  options: LoadOptions,
  version: string,
  scans: Record<string, string>,
): Promise<number> {
  const batch = options.batchSize ?? 500;
  let written = 0;
  let pending: KeyValueEntry[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    await options.store.putMany(pending);
    written += pending.length;
    pending = [];
  };
  for (const { sql, buckets } of listQueries(version, scans)) {
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
