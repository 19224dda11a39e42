// The insight engine: validates a query for a kind, answers it with DuckDB straight on the lake's Delta
// tables (views with data skipping per query) or a warm copy of the events, and caches results per query and the
// table versions it answered from.
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { LakeCatalog } from '@lens/lake';
import { LensError } from '@lens/protocol';
import { DuckDBRunner } from './duckdb-runner.js';
import { openEngineDuckDB, type EngineDuckDB } from './engine-duckdb.js';
import { lakeTables, type LakeTableInfo } from './lake-tables.js';
import { LockedSql, type SqlResult } from './locked-sql.js';
import { TrendingIndex } from './trending/trending-index.js';
import { TrendingQuery, type TrendingResult } from './trending/trending-query.js';
import { WarmEvents, type WarmLease } from './warm-events.js';
import { UnknownInsightError } from './errors.js';
import type { InsightKind } from './kinds/insight-kind.js';
import { INSIGHT_KINDS } from './kinds/registry.js';
import { noopLogger, type Logger } from './logger.js';
import { LruCache, stableJson } from './lru-cache.js';
import { parseQuery } from './query/parse-query.js';
import { NEEDS_LAKE, lakeRunEnv, warmRunEnv } from './run-envs.js';
import { latestVersion } from './table-version.js';

/** Options of an engine. */
export interface InsightEngineOptions {
  /** The Lens data directory (the lake is `<dataDir>/lake`). */
  dataDir: string;
  /** Statement time budget (default 30 s). */
  timeoutMs?: number;
  /** Rows raw SQL may return (default 10,000). */
  rowCap?: number;
  /** Results kept (default 500; 0 turns caching off). */
  cacheSize?: number;
  /** Keep a warm in-memory copy of the resolved events per table version (default true). */
  warm?: boolean;
  /**
   * How far behind the lake the warm copy may answer (default 60,000 ms): a copy lacking only commits made less than
   * this long ago (by commit time) answers at once, with its own versions in `meta.versions`, while the newest
   * versions are built in the background; a copy lacking an older commit makes the query wait for a new one.
   * 0 = every query waits for a copy of the newest versions.
   */
  warmMaxLagMs?: number;
  /**
   * Answer the queries they cover (ordered funnels, event paths) with typed-array kernels over the warm
   * table's rows (default true; false = always the general SQL, for comparison).
   */
  kernels?: boolean;
  /**
   * Memory each raw-SQL session may use (default half the machine's memory shared by the SQL_SESSIONS sessions, at
   * least 256 MiB each); a statement needing more fails with DuckDB's out-of-memory error, a 400.
   */
  sqlMemoryLimitBytes?: number;
  /** Clock for relative date ranges (tests). */
  now?: () => Date;
  logger?: Logger;
}

/** An answer with what it was computed from. */
export interface InsightResponse<R = unknown> {
  kind: string;
  result: R;
  meta: { versions: Record<string, number>; cached: boolean; durationMs: number };
}

/** A required table is not in the lake yet (pipelines have not run). */
export class TableMissingError extends LensError {
  constructor(readonly table: string) {
    super(`table ${table} does not exist yet (have the pipelines run?)`, { context: { table } });
  }
}

/** Raw-SQL sessions at most: a slow statement holds one, the others keep answering. */
const SQL_SESSIONS = 3;
/** What `InsightEngine.probe` found. */
export interface EngineProbe {
  ok: boolean;
  state: 'answered' | 'busy' | 'stuck' | 'failed';
  /** How long the probe took. */
  ms: number;
  /** busy/stuck: how long the query holding the session has run. */
  busyForMs?: number;
  error?: string;
}

/** A raw-SQL session and how many statements it is running or has queued. */
interface SqlSession {
  session: Promise<LockedSql>;
  load: number;
}

/**
 * Answers insight queries.
 * @example
 * const engine = await InsightEngine.create({ dataDir: './lens-data' });
 * const { result } = await engine.run('trends', { series: [{ event: 'Article Viewed', math: 'unique' }], dateRange: { last: 7 } });
 */
export class InsightEngine {
  readonly catalog: LakeCatalog;
  readonly #duck: EngineDuckDB;
  readonly #runner: DuckDBRunner;
  readonly #cache: LruCache<InsightResponse>;
  readonly #now: () => Date;
  readonly #logger: Logger;
  /** Raw-SQL sessions (SQL_SESSIONS, opened as needed) and how many queries each is running or has queued. */
  readonly #locked: SqlSession[] = [];
  #trending: Promise<TrendingIndex> | undefined;
  /** A readiness probe waiting for the session (its error message, or undefined once answered). */
  #probe: Promise<string | undefined> | undefined;
  readonly #warm: WarmEvents | undefined;

  private constructor(
    readonly options: InsightEngineOptions,
    duck: EngineDuckDB,
  ) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.catalog = new LakeCatalog(join(options.dataDir, 'lake'));
    this.#duck = duck;
    this.#runner = new DuckDBRunner(duck.query, timeoutMs);
    this.#cache = new LruCache(options.cacheSize ?? 500);
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger ?? noopLogger;
    this.#warm =
      options.warm === false
        ? undefined
        : new WarmEvents(this.catalog, new DuckDBRunner(duck.build, timeoutMs), {
            maxLagMs: options.warmMaxLagMs ?? 60_000,
            logger: this.#logger,
          });
  }

  static async create(options: InsightEngineOptions): Promise<InsightEngine> {
    return new InsightEngine(options, await openEngineDuckDB());
  }

  /** The kinds this engine answers. */
  kinds(): readonly InsightKind[] {
    return INSIGHT_KINDS;
  }

  /** Validates `raw` (throws InsightQueryError naming the field) and returns the parsed query. */
  validate(kind: string, raw: unknown): unknown {
    return parseQuery(this.#kind(kind).schema, raw);
  }

  /**
   * Runs a query of `kind`; a result computed from the same table versions is served from the cache. `meta.versions`
   * are the versions the answer was computed from: those of the warm copy when it answered (see `warmMaxLagMs`),
   * which may be behind the lake's newest.
   */
  async run<R = unknown>(kind: string, raw: unknown): Promise<InsightResponse<R>> {
    const k = this.#kind(kind);
    const query = parseQuery(k.schema, raw);
    const started = performance.now();
    const latest: Record<string, number> = {};
    for (const table of k.tables) latest[table] = await latestVersion(this.catalog.tablePath(table));
    if (latest[k.tables[0]!]! < 0) throw new TableMissingError(k.tables[0]!);
    const now = this.#now();
    // Relative ranges depend on the clock: they are cached to the minute.
    const minute = stableJson(query).includes('"last"') ? Math.floor(now.getTime() / 60_000) : '';
    const keyOf = (versions: Record<string, number>): string =>
      `${kind}|${stableJson(query)}|${stableJson(versions)}|${minute}`;
    const lease =
      this.#warm && k.tables.includes('silver.events')
        ? await this.#warm.acquire({
            'silver.events': latest['silver.events']!,
            'silver.identities': latest['silver.identities'] ?? -1,
          })
        : undefined;
    try {
      // The copy's versions stand for the tables it was built from; others are read as they are now.
      const warmVersions: Record<string, number> = { ...latest };
      if (lease) for (const [t, v] of Object.entries(lease.copy.versions)) if (t in warmVersions) warmVersions[t] = v;
      // An answer from the lake at the newest versions (a query the copy cannot answer) is as good as one from it.
      const hit = this.#cache.find([keyOf(warmVersions), keyOf(latest)]);
      if (hit)
        return {
          ...hit,
          meta: { ...hit.meta, cached: true, durationMs: performance.now() - started },
        } as InsightResponse<R>;
      const { result, versions } = await this.#compute<R>(k, query, now, latest, warmVersions, lease);
      const response: InsightResponse<R> = {
        kind,
        result,
        meta: { versions, cached: false, durationMs: performance.now() - started },
      };
      this.#cache.set(keyOf(versions), response);
      this.#logger.debug({ kind, durationMs: response.meta.durationMs, versions, latest }, 'insight_computed');
      return response;
    } finally {
      lease?.release();
    }
  }

  /** Answers from the leased warm copy (at `warmVersions`) when it has the columns, else from the lake (`latest`). */
  async #compute<R>(
    k: InsightKind,
    query: unknown,
    now: Date,
    latest: Record<string, number>,
    warmVersions: Record<string, number>,
    lease: WarmLease | undefined,
  ): Promise<{ result: R; versions: Record<string, number> }> {
    const lake = (): Promise<unknown> =>
      k.run(query, lakeRunEnv(this.#runner, this.catalog, (latest['silver.identities'] ?? -1) >= 0, now));
    if (!lease) return { result: (await lake()) as R, versions: latest };
    try {
      const env = warmRunEnv(this.#runner, this.catalog, lease.copy, now, this.options.kernels !== false);
      return { result: (await k.run(query, env)) as R, versions: warmVersions };
    } catch (error) {
      // A query on columns the copy lacks (JSON properties …) is answered from the lake instead.
      if (error !== NEEDS_LAKE) throw error;
      return { result: (await lake()) as R, versions: latest };
    }
  }

  /** Trending articles on bronze.events (seconds fresh, from a warm index); `raw` is validated like a query. */
  async trending(raw: unknown): Promise<TrendingResult> {
    const query = parseQuery(TrendingQuery, raw);
    this.#trending ??= TrendingIndex.open(this.catalog, this.options.timeoutMs ?? 30_000);
    return (await this.#trending).query(query, this.#now());
  }

  /** Runs locked-down raw SQL (one SELECT over the lake's tables; no files, network or settings). */
  async sql(text: string, rowCap = this.options.rowCap ?? 10_000): Promise<SqlResult> {
    // A session runs one statement at a time: with one session, a query running into its timeout held every other
    // SQL caller (the dashboard's panels) for as long. The least busy session takes it, a new one while fewer than
    // SQL_SESSIONS are open.
    let slot: SqlSession | undefined;
    for (const s of this.#locked) if (slot === undefined || s.load < slot.load) slot = s;
    if ((slot === undefined || slot.load > 0) && this.#locked.length < SQL_SESSIONS) {
      const memory = this.options.sqlMemoryLimitBytes ?? Math.max(256 * 2 ** 20, (totalmem() * 0.5) / SQL_SESSIONS);
      slot = { session: LockedSql.open(this.catalog.root, this.options.timeoutMs ?? 30_000, memory), load: 0 };
      this.#locked.push(slot);
    }
    slot!.load++;
    try {
      return await (await slot!.session).run(text, rowCap);
    } finally {
      slot!.load--;
    }
  }

  /** The lake's tables: schema, version, files, rows, bytes, freshness. */
  async tables(): Promise<LakeTableInfo[]> {
    return this.#runner.exclusive(async () => lakeTables(this.catalog, this.#runner.db, this.#now()));
  }

  /**
   * A cheap readiness check of the engine's DuckDB (the server's GET /health): `SELECT 1` on its session, answered
   * within `waitMs`. Queries run one at a time, so one may be running: then the engine is `busy` (fine) while that
   * query is within its timeout (plus `waitMs`), and `stuck` past it (DuckDB's interrupt did not end it). An error
   * (the session closed or broken) is `failed`. Probes do not pile up: one waiting is shared.
   */
  async probe(waitMs = 2000): Promise<EngineProbe> {
    const started = performance.now();
    this.#probe ??= this.#runner
      .exclusive(() => this.#runner.all('SELECT 1 AS ok', waitMs))
      .then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      )
      .finally(() => (this.#probe = undefined));
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.#probe.then((error) => ({ error })),
      new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), waitMs))),
    ]);
    clearTimeout(timer);
    const ms = Math.round(performance.now() - started);
    if (outcome !== 'waiting')
      return outcome.error === undefined
        ? { ok: true, state: 'answered', ms }
        : { ok: false, state: 'failed', ms, error: outcome.error };
    const busyForMs = Math.round(this.#runner.busyForMs() ?? 0);
    const limit = (this.options.timeoutMs ?? 30_000) + waitMs;
    return busyForMs <= limit
      ? { ok: true, state: 'busy', ms, busyForMs }
      : { ok: false, state: 'stuck', ms, busyForMs };
  }

  /** Cache statistics (for metrics). */
  cacheStats(): { size: number; hits: number; misses: number } {
    return this.#cache.stats();
  }

  /** Closes the DuckDB sessions (a warm copy being built is interrupted). */
  async close(): Promise<void> {
    await this.#warm?.close();
    await this.#runner.exclusive(async () => this.#duck.close());
    for (const { session } of this.#locked) await (await session).close();
    if (this.#trending) await (await this.#trending).close();
  }

  #kind(name: string): InsightKind {
    const k = INSIGHT_KINDS.find((x) => x.name === name);
    if (!k)
      throw new UnknownInsightError(
        name,
        INSIGHT_KINDS.map((x) => x.name),
      );
    return k;
  }
}
