// `lens recs evaluate`: time-based splits of silver.events, rolling-origin (several test periods back to back at the
// end of the data, each trained on what came before it); the recs pipelines trained on the events before each cutoff
// (in a private DuckDB session); their lists scored on what each person read in the test period, next to popularity
// and random baselines computed in the same run from the same training data.
import { createDuckDB, DeltaTable, type DuckDBSession, type SqlRow } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { RecsTrainingError } from '../errors.js';
import type { LoadedDataset } from '@lens/prism';
import { loadRecsDefinitions } from '../training/recs-pipelines.js';
import { DEFAULT_AGE_LIMITS, freshSql, type AgeLimits } from '../serving/age-limits.js';
import { rankingMetrics, type RankingMetrics } from './ranking-metrics.js';
import { cutSplitSession, openSplitSession, runDefinitionsInSession } from './split-session.js';
import { plantedRecovery, type PlantedRecovery } from './planted-recovery.js';
import { contextLists, type ContextLists, type ContextMetrics } from './context-evaluation.js';

/** Options of `evaluateRecommendations`. */
export interface EvaluateOptions {
  dataDir: string;
  k?: number;
  /** Length of each test period (default 1 day). */
  testDays?: number;
  /**
   * Test periods, back to back and ending at the newest read; each is scored on lists trained on the events before it
   * (default `DEFAULT_FOLDS`, fewer when the data would leave the first fold less than `MIN_TRAINING_DAYS` to train
   * on). One day of one shared trending list is a noisy baseline: on the demo's worlds a single day's model /
   * popularity ratio ranges from 1.75× to 4.1× with the same model.
   */
  folds?: number;
  ageLimits?: AgeLimits;
  /** Seed of the random baseline. */
  seed?: number;
  /** Person or device id → segment (demo ground truth): adds the planted-preference recovery. */
  segments?: ReadonlyMap<string, string>;
  /** The pipeline definitions to evaluate (default: the shipped recs pipelines) — to compare a candidate change. */
  datasets?: readonly LoadedDataset[];
  /** DuckDB's memory_limit for the session, in bytes (`pipelines.memoryLimit`; default: DuckDB's, 80 % of the machine). */
  memoryLimitBytes?: number;
}

/** What `evaluateRecommendations` measured. */
export interface EvaluationReport {
  /** The first fold's cutoff: every test period lies in [cutoff, testEnd]. */
  cutoff: string;
  testEnd: string;
  k: number;
  /** Articles recommendable at a cutoff (within their section's age limit), on average over the folds. */
  catalogueSize: number;
  /** (person, fold) pairs with test reads of catalogue articles but no training history (served the trending fallback). */
  coldUsers: number;
  /** Training time per dataset, summed over the folds. */
  trainingMs: Record<string, number>;
  /** Each test period on its own, oldest first (the spread says how much one day's figures can be trusted). */
  folds: FoldReport[];
  /**
   * Person-level lists (`userId`/`anonymousId` requests) against what each person read in the test period, pooled
   * over the folds: `users` counts (person, fold) pairs, and coverage is the folds' mean.
   * Baselines, all from the training window and excluding what the person read: `popularity` = the shipped
   * trending list (gold.trending_articles overall, what an unknown person is served); `sitePopularity` = the
   * trending list of the site the person read most; `recentPopularity` = views in the 6 hours before the cutoff.
   */
  methods: {
    model: RankingMetrics;
    popularity: RankingMetrics;
    sitePopularity: RankingMetrics;
    recentPopularity: RankingMetrics;
    random: RankingMetrics;
  };
  /** Context lists (`context=articleId`): the next article read in the same visit; `users` counts pairs (pooled). */
  context: ContextMetrics;
  /** Planted-truth recovery (with `segments`), on the newest fold's training. */
  planted?: PlantedRecovery;
}

/** One test period of a rolling evaluation. */
export interface FoldReport {
  cutoff: string;
  testEnd: string;
  catalogueSize: number;
  coldUsers: number;
  /** People evaluated in this period. */
  users: number;
  ndcg: { model: number; popularity: number; recentPopularity: number; random: number };
}

/** Test periods of a rolling evaluation by default: a week of days. */
export const DEFAULT_FOLDS = 7;
/** The default number of folds leaves the first at least this many days of training data. */
export const MIN_TRAINING_DAYS = 7;
const DAY_MS = 86_400_000;
type Method = keyof EvaluationReport['methods'];

const PERSON = `coalesce(i.person_id, e.user_id, e.anonymous_id)`;

/** The oldest and newest read's times in silver.events (`first`, `last`, ISO-8601; null when there is none). */
async function readSpan(dataDir: string): Promise<SqlRow | undefined> {
  const db = await createDuckDB();
  try {
    const table = await DeltaTable.open(lakeTablePath(dataDir, 'silver.events'), { sql: db });
    const scan = await table.scan().catch((cause: unknown) => {
      throw new RecsTrainingError(`cannot read silver.events in ${dataDir} (run the pipelines first)`, {
        cause,
        context: { step: 'evaluate', table: 'silver.events' },
      });
    });
    const iso = (t: string): string => `strftime(${t}(timestamp), '%Y-%m-%dT%H:%M:%S.%gZ')`;
    const [span] = await db.all(
      `SELECT ${iso('min')} AS first, ${iso('max')} AS last FROM (${scan.sql}) WHERE ${READ}`,
    );
    return span;
  } finally {
    db.close();
  }
}
/** An event that counts as a read (the recommendations' unit, as in gold.recent_reads). */
const READ = `event_name = 'Article Viewed' AND article_id IS NOT NULL`;

/**
 * Rolling-origin evaluation: `folds` test periods of `testDays`, back to back up to the newest read; for each, trains on
 * the events before it and scores top-k lists on it. Metrics are pooled over (person, fold) pairs.
 * @example const report = await evaluateRecommendations({ dataDir: './lens-data', k: 10 });
 */
export async function evaluateRecommendations(options: EvaluateOptions): Promise<EvaluationReport> {
  const k = options.k ?? 10;
  const limits = options.ageLimits ?? DEFAULT_AGE_LIMITS;
  const testMs = (options.testDays ?? 1) * DAY_MS;
  // The split is anchored on the newest read (what the test period scores), not the newest event of any kind:
  // a few clicks or identifies arriving after the reads would shift the test period past them. Read from the table
  // itself: a split session holds every event (its `full_events`), which these two numbers do not need.
  const span = await readSpan(options.dataDir);
  if (span?.['last'] == null)
    throw new Error(`nothing to evaluate: silver.events holds no read ('Article Viewed' with an article_id)`);
  const first = new Date(String(span['first']));
  const end = new Date(String(span['last']));
  const folds = options.folds ?? defaultFolds(end.getTime() - first.getTime(), testMs);
  if (!Number.isInteger(folds) || folds < 1) throw new Error(`folds: ${folds} is not a whole number ≥ 1`);
  const cutoffs = Array.from({ length: folds }, (_, i) => new Date(end.getTime() - (folds - i) * testMs).toISOString());
  if (new Date(cutoffs[0]!) <= first)
    throw new Error(
      `nothing to evaluate: with ${folds} test period${folds === 1 ? '' : 's'} of ${testMs / DAY_MS} day(s) before the newest read, the first would start at ${cutoffs[0]}, with no read before it to train on (silver.events holds reads from ${first.toISOString()} to ${end.toISOString()}); use fewer folds or shorter test periods`,
    );
  const datasets = options.datasets ?? loadRecsDefinitions();
  const db = await openSplitSession(options.dataDir, cutoffs[0]!, options.memoryLimitBytes);
  try {
    const pooled = {
      lists: {
        model: new Map(),
        popularity: new Map(),
        sitePopularity: new Map(),
        recentPopularity: new Map(),
        random: new Map(),
      },
      relevant: new Map(),
      context: { lists: { model: new Map(), popularity: new Map(), random: new Map() }, relevant: new Map() },
    } satisfies {
      lists: Record<Method, Map<string, string[]>>;
      relevant: Map<string, Set<string>>;
      context: ContextLists;
    };
    const coverage = { model: 0, popularity: 0, sitePopularity: 0, recentPopularity: 0, random: 0 } satisfies Record<
      Method,
      number
    >;
    const contextCoverage = { model: 0, popularity: 0, random: 0 };
    const trainingMs: Record<string, number> = {};
    const foldReports: FoldReport[] = [];
    let planted: PlantedRecovery | undefined;
    for (const [i, cutoff] of cutoffs.entries()) {
      const last = i === folds - 1;
      const testEnd = last ? end.toISOString() : cutoffs[i + 1]!;
      if (i > 0) await cutSplitSession(db, cutoff);
      for (const [name, ms] of Object.entries(await runDefinitionsInSession(db, datasets)))
        trainingMs[name] = (trainingMs[name] ?? 0) + ms;
      const T = `TIMESTAMPTZ '${cutoff}'`;
      // The newest fold keeps every read from the cutoff on (the newest read is its end); the others end where the
      // next begins.
      const before = last ? undefined : `TIMESTAMPTZ '${testEnd}'`;
      const fold = await scoreFold(db, T, before, k, limits, options.seed ?? 1);
      const size = fold.catalogueSize;
      const byMethod = Object.fromEntries(
        (Object.keys(fold.lists) as Method[]).map((m) => [m, rankingMetrics(fold.lists[m], fold.relevant, k, size)]),
      ) as Record<Method, RankingMetrics>;
      for (const m of Object.keys(coverage) as Method[]) {
        coverage[m] += byMethod[m].coverage / folds;
        for (const [person, list] of fold.lists[m]) pooled.lists[m].set(`${i}:${person}`, list);
      }
      for (const [person, items] of fold.relevant) pooled.relevant.set(`${i}:${person}`, items);
      const context = await contextLists(db, T, before, k, options.seed ?? 1);
      for (const m of ['model', 'popularity', 'random'] as const) {
        contextCoverage[m] += rankingMetrics(context.lists[m], context.relevant, k, size).coverage / folds;
        for (const [q, list] of context.lists[m]) pooled.context.lists[m].set(`${i}:${q}`, list);
      }
      for (const [q, items] of context.relevant) pooled.context.relevant.set(`${i}:${q}`, items);
      foldReports.push({
        cutoff,
        testEnd,
        catalogueSize: size,
        coldUsers: fold.coldUsers,
        users: byMethod.model.users,
        ndcg: {
          model: byMethod.model.ndcg,
          popularity: byMethod.popularity.ndcg,
          recentPopularity: byMethod.recentPopularity.ndcg,
          random: byMethod.random.ndcg,
        },
      });
      if (last && options.segments) planted = await plantedRecovery(db, fold.lists, options.segments);
    }
    const metrics = <M extends string>(
      lists: Record<M, Map<string, string[]>>,
      relevant: Map<string, Set<string>>,
      meanCoverage: Record<M, number>,
    ): Record<M, RankingMetrics> =>
      Object.fromEntries(
        (Object.keys(lists) as M[]).map((m) => [
          m,
          { ...rankingMetrics(lists[m], relevant, k, 1), coverage: meanCoverage[m] },
        ]),
      ) as Record<M, RankingMetrics>;
    return {
      cutoff: cutoffs[0]!,
      testEnd: end.toISOString(),
      k,
      catalogueSize: Math.round(foldReports.reduce((sum, f) => sum + f.catalogueSize, 0) / folds),
      coldUsers: foldReports.reduce((sum, f) => sum + f.coldUsers, 0),
      trainingMs,
      folds: foldReports,
      methods: metrics(pooled.lists, pooled.relevant, coverage),
      context: metrics(pooled.context.lists, pooled.context.relevant, contextCoverage),
      ...(planted ? { planted } : {}),
    };
  } finally {
    db.close();
  }
}

/** `DEFAULT_FOLDS` test periods, or as many as leave the first `MIN_TRAINING_DAYS` of training data (at least one). */
export function defaultFolds(spanMs: number, testMs: number): number {
  return Math.max(1, Math.min(DEFAULT_FOLDS, Math.floor((spanMs - MIN_TRAINING_DAYS * DAY_MS) / testMs)));
}

/** The lists of every method and what each person read, for the test period `T` ≤ time < `before`. */
async function scoreFold(
  db: DuckDBSession,
  T: string,
  before: string | undefined,
  k: number,
  limits: AgeLimits,
  seed: number,
): Promise<{
  lists: Record<Method, Map<string, string[]>>;
  relevant: Map<string, Set<string>>;
  catalogueSize: number;
  coldUsers: number;
}> {
  await db.run(`
    CREATE OR REPLACE TABLE catalogue AS SELECT article_id, section FROM silver.content WHERE ${freshSql('section', 'coalesce(published_at, first_seen_at)', T, limits)};
    CREATE OR REPLACE TABLE train_reads AS SELECT DISTINCT ${PERSON} AS person_id, e.article_id FROM silver.events e LEFT JOIN silver.identities i USING (anonymous_id)
      WHERE e.event_name = 'Article Viewed' AND e.article_id IS NOT NULL;
    CREATE OR REPLACE TABLE relevant AS SELECT DISTINCT ${PERSON} AS person_id, e.article_id FROM full_events e LEFT JOIN silver.identities i USING (anonymous_id)
      WHERE e.event_name = 'Article Viewed' AND e.timestamp >= ${T} ${before === undefined ? '' : `AND e.timestamp < ${before}`}
        AND e.article_id IN (SELECT article_id FROM catalogue)
        AND NOT EXISTS (SELECT 1 FROM train_reads t WHERE t.person_id = ${PERSON} AND t.article_id = e.article_id);
    CREATE OR REPLACE TABLE warm AS SELECT DISTINCT person_id FROM relevant WHERE person_id IN (SELECT person_id FROM gold.recommendations);`);
  const lists = {
    model: await ranked(
      db,
      `SELECT r.person_id, r.article_id, r.rank AS o FROM gold.recommendations r JOIN catalogue USING (article_id) WHERE r.person_id IN (SELECT person_id FROM warm)`,
      k,
    ),
    popularity: await ranked(
      db,
      `SELECT w.person_id, t.article_id, t.rank_overall AS o FROM warm w CROSS JOIN (SELECT * FROM gold.trending_articles WHERE article_id IN (SELECT article_id FROM catalogue) ORDER BY rank_overall LIMIT ${k + 300}) t
      WHERE NOT EXISTS (SELECT 1 FROM train_reads r WHERE r.person_id = w.person_id AND r.article_id = t.article_id)`,
      k,
    ),
    sitePopularity: await ranked(
      db,
      `WITH home AS (
        SELECT t.person_id, c.site FROM train_reads t JOIN silver.content c USING (article_id) WHERE t.person_id IN (SELECT person_id FROM warm)
        GROUP BY t.person_id, c.site QUALIFY row_number() OVER (PARTITION BY t.person_id ORDER BY count(*) DESC, c.site) = 1)
      SELECT h.person_id, t.article_id, t.rank_in_site AS o FROM home h JOIN gold.trending_articles t ON t.site = h.site AND t.rank_in_site <= ${k + 300}
      WHERE t.article_id IN (SELECT article_id FROM catalogue) AND NOT EXISTS (SELECT 1 FROM train_reads r WHERE r.person_id = h.person_id AND r.article_id = t.article_id)`,
      k,
    ),
    recentPopularity: await ranked(
      db,
      `SELECT w.person_id, t.article_id, -t.n AS o FROM warm w CROSS JOIN (
        SELECT article_id, count(*) AS n FROM silver.events WHERE event_name = 'Article Viewed' AND timestamp >= ${T} - INTERVAL 6 HOUR
          AND article_id IN (SELECT article_id FROM catalogue) GROUP BY ALL ORDER BY n DESC, article_id LIMIT ${k + 300}) t
      WHERE NOT EXISTS (SELECT 1 FROM train_reads r WHERE r.person_id = w.person_id AND r.article_id = t.article_id)`,
      k,
    ),
    random: await ranked(
      db,
      `SELECT w.person_id, c.article_id, hash(w.person_id || c.article_id || '${seed}') AS o FROM warm w CROSS JOIN catalogue c
      WHERE NOT EXISTS (SELECT 1 FROM train_reads r WHERE r.person_id = w.person_id AND r.article_id = c.article_id)`,
      k,
    ),
  };
  const relevant = new Map<string, Set<string>>();
  for (const r of await db.all(
    `SELECT person_id, article_id FROM relevant WHERE person_id IN (SELECT person_id FROM warm)`,
  )) {
    const set = relevant.get(String(r['person_id'])) ?? new Set<string>();
    set.add(String(r['article_id']));
    relevant.set(String(r['person_id']), set);
  }
  const [cat] = await db.all('SELECT count(*) AS n FROM catalogue');
  const [cold] = await db.all(
    'SELECT count(DISTINCT person_id) AS n FROM relevant WHERE person_id NOT IN (SELECT person_id FROM warm)',
  );
  return { lists, relevant, catalogueSize: Number(cat?.['n'] ?? 0), coldUsers: Number(cold?.['n'] ?? 0) };
}

async function ranked(db: DuckDBSession, sql: string, k: number): Promise<Map<string, string[]>> {
  const rows = await db.all(
    `SELECT person_id, article_id FROM (${sql}) QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY o, article_id) <= ${k} ORDER BY person_id, o, article_id`,
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const p = String(r['person_id']);
    const list = out.get(p) ?? [];
    list.push(String(r['article_id']));
    out.set(p, list);
  }
  return out;
}
