// `lens recs evaluate`: a time-based split of silver.events; the recs pipelines trained on the events before
// the cutoff (in a private DuckDB session); their lists scored on what each person read in the test period,
// next to popularity and random baselines computed in the same run from the same training data.
import { createDuckDB, DeltaTable, type DuckDBSession, type SqlRow } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { RecsTrainingError } from '../errors.js';
import type { LoadedDataset } from '@lens/prism';
import { loadRecsDefinitions } from '../training/recs-pipelines.js';
import { DEFAULT_AGE_LIMITS, freshSql, type AgeLimits } from '../serving/age-limits.js';
import { rankingMetrics, type RankingMetrics } from './ranking-metrics.js';
import { openSplitSession, runDefinitionsInSession } from './split-session.js';
import { plantedRecovery, type PlantedRecovery } from './planted-recovery.js';
import { contextEvaluation, type ContextMetrics } from './context-evaluation.js';

/** Options of `evaluateRecommendations`. */
export interface EvaluateOptions {
  dataDir: string;
  k?: number;
  /** Length of the test period at the end of the data (default 1 day). */
  testDays?: number;
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
  cutoff: string;
  testEnd: string;
  k: number;
  /** Articles recommendable at the cutoff (within their section's age limit). */
  catalogueSize: number;
  /** People with test reads of catalogue articles but no training history (served the trending fallback). */
  coldUsers: number;
  trainingMs: Record<string, number>;
  /**
   * Person-level lists (`userId`/`anonymousId` requests) against what each person read in the test period.
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
  /** Context lists (`context=articleId`): the next article read in the same visit; `users` counts pairs. */
  context: ContextMetrics;
  planted?: PlantedRecovery;
}

const PERSON = `coalesce(i.person_id, e.user_id, e.anonymous_id)`;

/** The newest read's time in silver.events (`t`, ISO-8601; null when there is none). */
async function newestRead(dataDir: string): Promise<SqlRow | undefined> {
  const db = await createDuckDB();
  try {
    const table = await DeltaTable.open(lakeTablePath(dataDir, 'silver.events'), { sql: db });
    const scan = await table.scan().catch((cause: unknown) => {
      throw new RecsTrainingError(`cannot read silver.events in ${dataDir} (run the pipelines first)`, {
        cause,
        context: { step: 'evaluate', table: 'silver.events' },
      });
    });
    const [last] = await db.all(
      `SELECT strftime(max(timestamp), '%Y-%m-%dT%H:%M:%S.%gZ') AS t FROM (${scan.sql}) WHERE ${READ}`,
    );
    return last;
  } finally {
    db.close();
  }
}
/** An event that counts as a read (the recommendations' unit, as in gold.recent_reads). */
const READ = `event_name = 'Article Viewed' AND article_id IS NOT NULL`;

/**
 * Trains on the events before (last read − testDays) and scores top-k lists on the test period.
 * @example const report = await evaluateRecommendations({ dataDir: './lens-data', k: 10 });
 */
export async function evaluateRecommendations(options: EvaluateOptions): Promise<EvaluationReport> {
  const k = options.k ?? 10;
  const limits = options.ageLimits ?? DEFAULT_AGE_LIMITS;
  // The split is anchored on the newest read (what the test period scores), not the newest event of any kind:
  // a few clicks or identifies arriving after the reads would shift the test period past them. Read from the table
  // itself: a split session holds every event (its `full_events`), which this one number does not need.
  const last = await newestRead(options.dataDir);
  if (last?.['t'] == null)
    throw new Error(`nothing to evaluate: silver.events holds no read ('Article Viewed' with an article_id)`);
  const end = new Date(String(last['t']));
  const cutoff = new Date(end.getTime() - (options.testDays ?? 1) * 86_400_000).toISOString();
  const db = await openSplitSession(options.dataDir, cutoff, options.memoryLimitBytes);
  try {
    const trainingMs = await runDefinitionsInSession(db, options.datasets ?? loadRecsDefinitions());
    const T = `TIMESTAMPTZ '${cutoff}'`;
    await db.run(`
      CREATE TABLE catalogue AS SELECT article_id, section FROM silver.content WHERE ${freshSql('section', 'coalesce(published_at, first_seen_at)', T, limits)};
      CREATE TABLE train_reads AS SELECT DISTINCT ${PERSON} AS person_id, e.article_id FROM silver.events e LEFT JOIN silver.identities i USING (anonymous_id)
        WHERE e.event_name = 'Article Viewed' AND e.article_id IS NOT NULL;
      CREATE TABLE relevant AS SELECT DISTINCT ${PERSON} AS person_id, e.article_id FROM full_events e LEFT JOIN silver.identities i USING (anonymous_id)
        WHERE e.event_name = 'Article Viewed' AND e.timestamp >= ${T} AND e.article_id IN (SELECT article_id FROM catalogue)
          AND NOT EXISTS (SELECT 1 FROM train_reads t WHERE t.person_id = ${PERSON} AND t.article_id = e.article_id);
      CREATE TABLE warm AS SELECT DISTINCT person_id FROM relevant WHERE person_id IN (SELECT person_id FROM gold.recommendations);`);
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
        `SELECT w.person_id, c.article_id, hash(w.person_id || c.article_id || '${options.seed ?? 1}') AS o FROM warm w CROSS JOIN catalogue c
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
    const size = Number(cat?.['n'] ?? 0);
    return {
      cutoff,
      testEnd: end.toISOString(),
      k,
      catalogueSize: size,
      coldUsers: Number(cold?.['n'] ?? 0),
      trainingMs,
      methods: {
        model: rankingMetrics(lists.model, relevant, k, size),
        popularity: rankingMetrics(lists.popularity, relevant, k, size),
        sitePopularity: rankingMetrics(lists.sitePopularity, relevant, k, size),
        recentPopularity: rankingMetrics(lists.recentPopularity, relevant, k, size),
        random: rankingMetrics(lists.random, relevant, k, size),
      },
      context: await contextEvaluation(db, T, k, options.seed ?? 1, size),
      ...(options.segments ? { planted: await plantedRecovery(db, lists, options.segments) } : {}),
    };
  } finally {
    db.close();
  }
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
