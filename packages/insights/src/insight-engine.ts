// The insight engine: validates a query for a kind, answers it with DuckDB straight on the lake's Delta
// tables (views with data skipping per query), and caches results per query and table versions.
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { LakeCatalog, createDuckDB, prepareLakeQuery } from '@lens/lake';
import { LensError } from '@lens/protocol';
import { DuckDBRunner } from './duckdb-runner.js';
import { lakeTables, type LakeTableInfo } from './lake-tables.js';
import { LockedSql, type SqlResult } from './locked-sql.js';
import { TrendingIndex } from './trending/trending-index.js';
import { TrendingQuery, type TrendingResult } from './trending/trending-query.js';
import { WARM_TABLE, WarmEvents } from './warm-events.js';
import { UnknownInsightError } from './errors.js';
import type { InsightKind, RunEnv } from './kinds/insight-kind.js';
import { INSIGHT_KINDS } from './kinds/registry.js';
import { noopLogger, type Logger } from './logger.js';
import { LruCache, stableJson } from './lru-cache.js';
import { parseQuery } from './query/parse-query.js';
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

const NEEDS_LAKE = Symbol('needs-lake');

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
    runner: DuckDBRunner,
  ) {
    this.catalog = new LakeCatalog(join(options.dataDir, 'lake'));
    this.#runner = runner;
    this.#cache = new LruCache(options.cacheSize ?? 500);
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger ?? noopLogger;
    this.#warm = options.warm === false ? undefined : new WarmEvents(this.catalog, runner);
  }

  static async create(options: InsightEngineOptions): Promise<InsightEngine> {
    return new InsightEngine(options, new DuckDBRunner(await createDuckDB(), options.timeoutMs ?? 30_000));
  }

  /** The kinds this engine answers. */
  kinds(): readonly InsightKind[] {
    return INSIGHT_KINDS;
  }

  /** Validates `raw` (throws InsightQueryError naming the field) and returns the parsed query. */
  validate(kind: string, raw: unknown): unknown {
    return parseQuery(this.#kind(kind).schema, raw);
  }

  /** Runs a query of `kind`; a result computed from the same table versions is served from the cache. */
  async run<R = unknown>(kind: string, raw: unknown): Promise<InsightResponse<R>> {
    const k = this.#kind(kind);
    const query = parseQuery(k.schema, raw);
    const started = performance.now();
    const versions: Record<string, number> = {};
    for (const table of k.tables) versions[table] = await latestVersion(this.catalog.tablePath(table));
    if (versions[k.tables[0]!]! < 0) throw new TableMissingError(k.tables[0]!);
    const now = this.#now();
    // Relative ranges depend on the clock: they are cached to the minute.
    const key = `${kind}|${stableJson(query)}|${stableJson(versions)}|${stableJson(query).includes('"last"') ? Math.floor(now.getTime() / 60_000) : ''}`;
    const hit = this.#cache.get(key);
    if (hit)
      return {
        ...hit,
        meta: { ...hit.meta, cached: true, durationMs: performance.now() - started },
      } as InsightResponse<R>;
    const hasIdentities = (versions['silver.identities'] ?? -1) >= 0;
    const lakeEnv: RunEnv = {
      ctx: { hasIdentities },
      now,
      query: (sql) =>
        this.#runner.exclusive(async () => {
          await prepareLakeQuery(this.catalog, this.#runner.db, sql);
          return this.#runner.all(sql);
        }),
    };
    let result: R;
    const warm = this.#warm;
    if (warm && k.tables.includes('silver.events')) {
      // Against the warm table; a query that reads columns it lacks is answered from the lake instead.
      const ensure = (): Promise<void> =>
        warm.ensure(
          { 'silver.events': versions['silver.events']!, 'silver.identities': versions['silver.identities'] ?? -1 },
          hasIdentities,
        );
      const warmEnv: RunEnv = {
        ctx: { hasIdentities, warm: WARM_TABLE },
        now,
        query: (sql) =>
          this.#runner.exclusive(async () => {
            await ensure();
            if (!warm.covers(sql)) throw NEEDS_LAKE;
            await prepareLakeQuery(this.catalog, this.#runner.db, sql);
            return this.#runner.all(sql);
          }),
        nameCodes: () =>
          this.#runner.exclusive(async () => {
            await ensure();
            return warm.nameCodes;
          }),
      };
      if (this.options.kernels !== false) {
        warmEnv.columns = (sql) =>
          this.#runner.exclusive(async () => {
            await ensure();
            if (!warm.covers(sql)) throw NEEDS_LAKE;
            await prepareLakeQuery(this.catalog, this.#runner.db, sql);
            return this.#runner.columns(sql);
          });
      }
      try {
        result = (await k.run(query, warmEnv)) as R;
      } catch (error) {
        if (error !== NEEDS_LAKE) throw error;
        result = (await k.run(query, lakeEnv)) as R;
      }
    } else {
      result = (await k.run(query, lakeEnv)) as R;
    }
    const response: InsightResponse<R> = {
      kind,
      result,
      meta: { versions, cached: false, durationMs: performance.now() - started },
    };
    this.#cache.set(key, response);
    this.#logger.debug({ kind, durationMs: response.meta.durationMs, versions }, 'insight_computed');
    return response;
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

  /** Closes the DuckDB sessions. */
  async close(): Promise<void> {
    await this.#runner.exclusive(async () => this.#runner.db.close());
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
