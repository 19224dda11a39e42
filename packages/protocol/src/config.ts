// The Lens configuration schema: one zod schema per role, composed into LensConfig. Types share the schemas'
// names. Defaults here are the embedded single-machine setup `lens up` runs with no config file.
import { totalmem } from 'node:os';
import { z } from 'zod';

const positiveInt = z.number().int().positive();
/** Objects reject unknown keys, so a typo in a config file is an error rather than silently ignored. */
const strictObject = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

/** A source: one site or app sending events with its own write key. */
export const SourceConfig = strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, "_", "." or "-", at most 64'),
  name: z.string().min(1),
  writeKey: z.string().min(8, 'at least 8 characters').max(256),
  enabled: z.boolean().default(true),
});
export type SourceConfig = z.infer<typeof SourceConfig>;

/** Two sources with one id would share their events; two with one write key could not be told apart. */
function uniqueSources(sources: readonly SourceConfig[], ctx: z.RefinementCtx): void {
  for (const key of ['id', 'writeKey'] as const) {
    const first = new Map<string, number>();
    sources.forEach((source, index) => {
      const earlier = first.get(source[key]);
      if (earlier === undefined) first.set(source[key], index);
      else ctx.addIssue({ code: 'custom', path: [index, key], message: `the same as sources.${earlier}.${key}` });
    });
  }
}

/** Size limits the collector enforces per event, request and batch. */
export const CollectorLimits = strictObject({
  maxEventBytes: positiveInt.default(32 * 1024),
  maxRequestBytes: positiveInt.default(1024 * 1024),
  maxBatchEvents: positiveInt.default(2500),
  /** Raw bytes of a rejected request kept in the quarantine; the rest is cut and marked truncated. */
  maxQuarantineBytes: positiveInt.default(64 * 1024),
});
export type CollectorLimits = z.infer<typeof CollectorLimits>;

/**
 * A browser origin as browsers send it: lowercase `scheme://host[:port]`, no path or trailing slash, no default
 * port (`:443` for https, `:80` for http, which browsers leave out) — or `null`, or `*` for any. Anything else can
 * never match, and would silently refuse every request from that site.
 */
const corsOrigin = z
  .string()
  .refine(
    (o) =>
      o === '*' ||
      o === 'null' ||
      (/^[a-z][a-z0-9+.-]*:\/\/[a-z0-9.-]+(:\d{1,5})?$|^[a-z][a-z0-9+.-]*:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/.test(o) &&
        !/^https:\/\/.*:443$|^http:\/\/.*:80$/.test(o)),
    {
      message:
        'not an origin as browsers send it: lowercase scheme://host[:port] with no path, trailing slash or default port (e.g. https://news.example), or *',
    },
  );
const CorsConfig = strictObject({ origins: z.array(corsOrigin).default(['*']) }).default({});

export const CollectorConfig = strictObject({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Collector processes to run (each owns one log partition); 0 means one per core. */
  workers: z.number().int().min(0).max(256).default(1),
  limits: CollectorLimits.default({}),
  cors: CorsConfig,
  /** Trust X-Forwarded-For for the request IP (behind a load balancer). */
  trustProxy: z.boolean().default(false),
  /** Seconds a client is told to wait (Retry-After) when the log applies backpressure. */
  retryAfterSeconds: positiveInt.default(5),
});
export type CollectorConfig = z.infer<typeof CollectorConfig>;

export const LocalLogConfig = strictObject({
  backend: z.literal('local').default('local'),
  /** Segment files roll over at this size. */
  segmentBytes: positiveInt.default(64 * 1024 * 1024),
  /** Appends wait at most this long for others to share one fsync (group commit). */
  groupCommitMaxWaitMs: z.number().min(0).max(1000).default(0),
  /** Refuse appends (503 to clients) when the disk has less free space than this. */
  minFreeDiskBytes: z
    .number()
    .int()
    .min(0)
    .default(512 * 1024 * 1024),
  /** Refuse appends when a consumer lags more than this many bytes behind a partition's end. */
  maxConsumerLagBytes: z
    .number()
    .int()
    .min(0)
    .default(8 * 1024 * 1024 * 1024),
});
export const LogConfig = LocalLogConfig;
export type LogConfig = z.infer<typeof LogConfig>;

/**
 * Room the collector allows for what enrichment adds to an event (messageId, times, context.ip) before its size is
 * checked against `limits.maxEventBytes`: an event of exactly the limit as sent is never refused.
 */
export const ENRICHMENT_BYTES = 1024;

/** Loader quality checks: what counts as an implausible timestamp or an oversized JSON column, and what to do. */
export const LoaderQualityConfig = strictObject({
  /** A timestamp further than this in the future (after skew correction) fails the check. */
  maxFutureSeconds: positiveInt.default(24 * 60 * 60),
  /** A timestamp further than this in the past fails the check. */
  maxPastDays: positiveInt.default(365),
  /** `correct`: use receivedAt and record the correction; `quarantine`: keep the event out of bronze.events. */
  timestampAction: z.enum(['correct', 'quarantine']).default('correct'),
  /**
   * context, properties, traits or integrations longer than this (JSON text bytes) is quarantined. The default is
   * the largest event the collector stores with its default limits (32 KB as sent + ENRICHMENT_BYTES): a column it
   * acknowledged is never refused here (at 32 KB, events of 32-33 KB were answered 200 and then quarantined).
   */
  maxJsonColumnBytes: positiveInt.default(32 * 1024 + ENRICHMENT_BYTES),
  /** Flag events whose context.userAgent is a known bot (is_bot = true); they are kept, never dropped. */
  detectBots: z.boolean().default(true),
});
export type LoaderQualityConfig = z.infer<typeof LoaderQualityConfig>;

/** The loader: log → bronze Delta tables in micro-batches, exactly once. */
export const LoaderConfig = strictObject({
  /** Ops endpoint (GET /health, GET /metrics); 0 turns it off. */
  port: z.number().int().min(0).max(65535).default(8081),
  host: z.string().default('0.0.0.0'),
  /** A partition's batch is committed at least this often while events arrive. */
  flushIntervalMs: positiveInt.default(1000),
  /** ...or as soon as it holds this many records or bytes. */
  maxBatchEvents: positiveInt.default(50_000),
  maxBatchBytes: positiveInt.default(64 * 1024 * 1024),
  /** The same messageId from the same source within this window is loaded once. */
  dedupWindowHours: positiveInt.default(24),
  /** A partition lease not renewed for this long may be taken over by another loader instance. */
  leaseTtlMs: positiveInt.default(15_000),
  /** Compact bronze.events (OPTIMIZE) after this many commits; 0 turns compaction off. */
  compactEveryCommits: z.number().int().min(0).default(100),
  compactTargetFileBytes: positiveInt.default(128 * 1024 * 1024),
  /**
   * Threads of the loader's DuckDB (which writes the batches); 0 = the cores left after the loader's own busy
   * threads (main, map and dedup workers): availableParallelism() − 2, at least 1.
   */
  duckdbThreads: z.number().int().min(0).max(256).default(0),
  quality: LoaderQualityConfig.default({}),
});
export type LoaderConfig = z.infer<typeof LoaderConfig>;

const MEMORY_SIZE = /^(\d+(?:\.\d+)?)\s*(%|B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;
const MEMORY_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};
/** The smallest memory a pipeline run's DuckDB is given: below it, every run would fail for lack of memory. */
const MIN_MEMORY_BYTES = 128 * 2 ** 20;

/**
 * Bytes of a memory size written `40%` (of `totalBytes`, the machine's memory) or `4GB` / `512MiB` (decimal or binary
 * units, as DuckDB reads them); NaN when it is not one.
 */
export function memorySizeBytes(size: string, totalBytes: number): number {
  const match = MEMORY_SIZE.exec(size.trim());
  if (match === null) return Number.NaN;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  return Math.floor(unit === '%' ? (totalBytes * amount) / 100 : amount * MEMORY_UNITS[unit]!);
}

const MemorySize = z
  .string()
  .refine(
    (s) => MEMORY_SIZE.test(s.trim()),
    'a share of the machine\'s memory (e.g. "40%") or a size (e.g. "4GB", "512MiB")',
  )
  .refine(
    (s) => !s.trim().endsWith('%') || (Number.parseFloat(s) > 0 && Number.parseFloat(s) <= 100),
    'a share between 0 and 100%',
  )
  .refine(
    (s) => s.trim().endsWith('%') || memorySizeBytes(s, 0) >= MIN_MEMORY_BYTES,
    `at least ${MIN_MEMORY_BYTES / 2 ** 20}MiB`,
  );

/** Prism pipelines: where user definitions live (next to the shipped ones) and how the scheduler ticks. */
export const PipelinesConfig = strictObject({
  /** The running scheduler's ops endpoint (GET /health, GET /metrics); 0 turns it off. */
  port: z.number().int().min(0).max(65535).default(8082),
  host: z.string().default('0.0.0.0'),
  /** Folder of user pipeline definitions (*.yaml), relative to the working directory; none by default. */
  dir: z.string().optional(),
  /** Run the pipelines Lens ships (silver.*, gold.*). */
  shipped: z.boolean().default(true),
  /** Pause between scheduler ticks. */
  tickMs: positiveInt.default(500),
  /** Attempts after the first for a failing pipeline, with exponential backoff from retryBackoffMs. */
  retries: z.number().int().min(0).default(2),
  retryBackoffMs: positiveInt.default(1000),
  /**
   * Memory each pipeline run's DuckDB may use before it spills to `<data>/tmp/prism` (DuckDB's own default is 80 % of
   * the machine for every run, beside the other roles of `lens up`): a share of the machine's memory or a size.
   */
  memoryLimit: MemorySize.default('40%'),
});
export type PipelinesConfig = z.infer<typeof PipelinesConfig>;

/** `memoryLimit` of the pipelines' configuration in bytes, on this machine. */
export function pipelinesMemoryBytes(pipelines: Pick<PipelinesConfig, 'memoryLimit'>): number {
  return memorySizeBytes(pipelines.memoryLimit, totalmem());
}

/** recs.maxAgeHours' defaults (hours): fast news sections are short-lived, lifestyle keeps longer. */
export const DEFAULT_MAX_AGE_HOURS: Readonly<Record<string, number>> = {
  default: 72,
  news: 48,
  football: 48,
  opinion: 96,
  science: 168,
  culture: 168,
  food: 336,
  travel: 336,
};

/** Recommendations (@lens/recs): the serving store, its cache, list sizes and news age limits. */
export const RecsConfig = strictObject({
  /** The KeyValueStore serving reads: embedded SQLite (default `<dataDir>/recs/kv.sqlite`) or DynamoDB. */
  kv: z
    .discriminatedUnion('backend', [
      strictObject({ backend: z.literal('sqlite'), path: z.string().optional() }),
      strictObject({
        backend: z.literal('dynamodb'),
        table: z.string().min(3).default('lens-recs'),
        region: z.string().default('eu-west-1'),
        endpoint: z.string().url().optional(),
        createTable: z.boolean().default(false),
        /** Strongly consistent reads (twice the read cost; versioned keys never change, so serving needs none). */
        consistentRead: z.boolean().default(false),
        /** A call DynamoDB has not answered in this time fails (the API answers 503), with one retry. */
        requestTimeoutMs: z.number().int().min(50).max(60_000).default(2000),
        /** Static credentials; the AWS SDK's default chain (AWS_* variables, profiles, instance roles) when absent. */
        credentials: strictObject({
          accessKeyId: z.string().min(1),
          secretAccessKey: z.string().min(1),
          sessionToken: z.string().min(1).optional(),
        }).optional(),
      }),
    ])
    .default({ backend: 'sqlite' }),
  /** Entries in the in-process LRU cache in front of the store (0 turns it off). */
  cacheEntries: z.number().int().min(0).default(50_000),
  /** Items returned when a request names no k, and the largest k accepted. */
  k: positiveInt.default(10),
  maxK: positiveInt.default(50),
  /** An article older than this (hours since publication) is not recommended; per section, else `default`. */
  maxAgeHours: z
    .record(z.string(), positiveInt)
    .default({})
    // A section set in the file adds to (or changes) the defaults; it does not drop every other section's.
    .transform((set) => ({ ...DEFAULT_MAX_AGE_HOURS, ...set })),
  /** Versions of the loaded tables kept in the store after a swap (for readers mid-request, and rollback). */
  keepVersions: positiveInt.default(2),
  /** How often the running pipelines (`lens up`, `lens pipelines run --continuous`) retrain gold.predictions; 0: only `lens recs train`. */
  predictionsEveryMinutes: z.number().int().min(0).default(60),
  /** Browser origins (publishers' pages) allowed to call GET /v1/recommendations; `*` allows any. */
  cors: CorsConfig,
}).superRefine((recs, ctx) => {
  // Else every request without its own k would be refused ("k must be … from 1 to maxK") by a server that started.
  if (recs.k > recs.maxK)
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['k'], message: `must not exceed maxK (${recs.maxK})` });
});
export type RecsConfig = z.infer<typeof RecsConfig>;

/** The HTTP API (`lens server`): insights, raw SQL, the catalog, trending now; read tokens and query limits. */
export const ServerConfig = strictObject({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(3000),
  /** Bearer tokens that may read through /api/*; empty = no authentication (local development only). */
  readTokens: z.array(z.string().min(16, 'at least 16 characters')).default([]),
  /** A query running longer is interrupted (504). */
  queryTimeoutMs: positiveInt.default(30_000),
  /** Rows /api/sql returns at most (the answer says when it was cut). */
  sqlRowCap: positiveInt.default(10_000),
  /** Insight results cached per query and table versions (0 turns the cache off). */
  cacheEntries: z.number().int().min(0).default(500),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

export const LensConfig = strictObject({
  /** Where the log, the lake and state live. */
  dataDir: z.string().default('./lens-data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  sources: z.array(SourceConfig).superRefine(uniqueSources).default([]),
  collector: CollectorConfig.default({}),
  log: LogConfig.default({}),
  loader: LoaderConfig.default({}),
  pipelines: PipelinesConfig.default({}),
  server: ServerConfig.default({}),
  recs: RecsConfig.default({}),
});
export type LensConfig = z.infer<typeof LensConfig>;
