// The recs pipelines run by Prism's engine on demo data: the outputs keep their rules (never what the person
// read, ranks, no self-similarity), refresh when events arrive, and the evaluation run on the same lake beats
// its baselines and recovers the planted section preferences and co-reading pairs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createDuckDB, DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { appendBronze, bronzeRows, runPipelines } from '@lens/prism';
import {
  DEFAULT_FOLDS,
  defaultFolds,
  evaluateRecommendations,
  type EvaluationReport,
} from '../evaluation/evaluate-recommendations.js';
import { buildDemoLake, DEMO_START, RECS_INPUTS, type DemoLake } from '../testing/demo-lake.js';
import { recsPipelineGraph } from './recs-pipelines.js';
import { PROPENSITY_MODELS } from '../predictions/propensity-models.js';
import { trainPredictions } from '../predictions/train-propensity.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lens-recs-train-'));
const OPTIONS = { users: 1500, days: 21 };
let lake: DemoLake;
let report: EvaluationReport;

before(async () => {
  lake = await buildDemoLake(dataDir, OPTIONS);
  report = await evaluateRecommendations({ dataDir, k: 10, segments: lake.segments });
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

async function query(sql: string, tables: string[]): Promise<Record<string, unknown>[]> {
  const db = await createDuckDB();
  try {
    for (const t of tables)
      await db.run(
        `CREATE VIEW ${t.replace('.', '_')} AS ${(await (await DeltaTable.open(lakeTablePath(dataDir, t), { sql: db })).scan()).sql}`,
      );
    return await db.all(sql);
  } finally {
    db.close();
  }
}

test('the recs pipelines ran inside Prism next to the shipped ones', () => {
  for (const name of ['gold.trending_articles', 'gold.similar_articles', 'gold.recommendations']) {
    const run = lake.runs.find((r) => r.pipeline === name);
    assert.ok(run && run.status === 'succeeded' && run.rowsOut > 0, `${name}: ${JSON.stringify(run)}`);
  }
});

test('gold.recommendations never lists an article the person read, and ranks are 1..n by score', async () => {
  const [read] = await query(
    `SELECT count(*) AS n FROM gold_recommendations r JOIN silver_events e ON e.event_name = 'Article Viewed' AND e.article_id = r.article_id
    LEFT JOIN silver_identities i ON i.anonymous_id = e.anonymous_id WHERE coalesce(i.person_id, e.user_id, e.anonymous_id) = r.person_id`,
    ['gold.recommendations', 'silver.events', 'silver.identities'],
  );
  assert.equal(Number(read!['n']), 0);
  const [bad] = await query(
    `SELECT count(*) FILTER (WHERE n > 50 OR max_rank <> n) AS bad_ranks, count(*) AS people FROM (
    SELECT person_id, count(*) AS n, max(rank) AS max_rank FROM gold_recommendations GROUP BY ALL)`,
    ['gold.recommendations'],
  );
  assert.equal(Number(bad!['bad_ranks']), 0);
  assert.ok(Number(bad!['people']) > 500);
  const [order] = await query(
    `SELECT count(*) AS n FROM (SELECT score < lead(score) OVER (PARTITION BY person_id ORDER BY rank) AS inverted FROM gold_recommendations) WHERE inverted`,
    ['gold.recommendations'],
  );
  assert.equal(Number(order!['n']), 0);
});

test('gold.similar_articles: no article is its own neighbour, at most 30 each, co-read and section reasons present', async () => {
  const [s] = await query(
    `SELECT count(*) FILTER (WHERE article_id = similar_article_id) AS self, max(rank) AS max_rank,
    count(DISTINCT reason) FILTER (WHERE reason IN ('co_read', 'section_co_read')) AS reasons, count(*) FILTER (WHERE jaccard > 0) AS co FROM gold_similar_articles`,
    ['gold.similar_articles'],
  );
  assert.equal(Number(s!['self']), 0);
  assert.equal(Number(s!['max_rank']), 30);
  assert.equal(Number(s!['reasons']), 2);
  assert.ok(Number(s!['co']) > 1000);
});

test('evaluation: the model beats popularity (and at least matches recent popularity) on people and on the next article', () => {
  const { methods, context } = report;
  assert.ok(methods.model.users > 100, `evaluated ${methods.model.users}`);
  assert.ok(methods.model.ndcg > 4 * methods.random.ndcg, JSON.stringify(methods));
  // Pooled over the 7 daily test periods on this lake (1,500 people, 21 days): 2.01x the shipped trending list, 1.20x
  // the last 6 hours' counts (one period alone: 1.86x).
  assert.ok(methods.model.ndcg >= 1.5 * methods.popularity.ndcg, JSON.stringify(methods));
  assert.ok(methods.model.ndcg >= 0.95 * methods.recentPopularity.ndcg, JSON.stringify(methods));
  // 2.5x here (the periods' mean; 2.8x on the last period alone): tastes shrunk towards the cohorts a reader
  // resembles make lists alike within a cohort (4.1x before).
  assert.ok(methods.model.coverage > 2 * methods.popularity.coverage, JSON.stringify(methods));
  assert.ok(context.model.ndcg > 1.2 * context.popularity.ndcg, JSON.stringify(context));
});

test('evaluation recovers the planted truths: segment section preferences and co-reading pairs', () => {
  const planted = report.planted!;
  for (const s of planted.segments) {
    assert.ok(s.people > 30, `${s.segment}: ${s.people} people`);
    // The taste the model learned: each segment's mean has the planted top sections, is far closer to the planted
    // preference than everybody's mean is, and so is each person's own taste on average.
    assert.deepEqual(
      [...s.tasteTop3.slice(0, 2)].sort(),
      [...s.plantedTop3.slice(0, 2)].sort(),
      `${s.segment}: taste ${s.tasteTop3} vs planted ${s.plantedTop3}`,
    );
    assert.ok(s.distanceTaste < s.distanceEverybody / 2, `${s.segment}: ${s.distanceTaste} vs ${s.distanceEverybody}`);
    assert.ok(s.distancePerson < s.distanceEverybody, `${s.segment}: ${s.distancePerson} vs ${s.distanceEverybody}`);
    // What the segment is served leads with the same sections.
    assert.deepEqual(
      [...s.recommendedTop3.slice(0, 2)].sort(),
      [...s.plantedTop3.slice(0, 2)].sort(),
      `${s.segment}: ${s.recommendedTop3} vs planted ${s.plantedTop3}`,
    );
  }
  assert.ok(planted.coReadMatches >= 5, JSON.stringify(planted.coRead));
});

test('new events refresh the outputs incrementally; a run without new events changes nothing', async () => {
  const before = await query('SELECT max(computed_at) AS t FROM gold_recommendations', ['gold.recommendations']);
  const next = [...bronzeRows({ ...OPTIONS, days: OPTIONS.days + 1, seed: 42, start: DEMO_START })].filter(
    (r) => String(r['timestamp']) >= `2025-01-${6 + OPTIONS.days}`,
  );
  await appendBronze(dataDir, next);
  const runs = await runPipelines({ dataDir, graph: recsPipelineGraph(), retries: 0, names: RECS_INPUTS });
  assert.ok(runs.some((r) => r.pipeline === 'gold.recommendations' && r.status === 'succeeded'));
  const afterRun = await query('SELECT max(computed_at) AS t FROM gold_recommendations', ['gold.recommendations']);
  assert.ok(
    new Date(afterRun[0]!['t'] as Date) > new Date(before[0]!['t'] as Date),
    `${afterRun[0]!['t']} > ${before[0]!['t']}`,
  );
  const idle = await runPipelines({ dataDir, graph: recsPipelineGraph(), retries: 0, names: RECS_INPUTS });
  assert.deepEqual(
    idle.filter((r) => r.pipeline.startsWith('gold.') && r.status === 'succeeded').map((r) => r.pipeline),
    [],
  );
});

test('predictions: both propensity models beat chance on the holdout; gold.predictions and lens.model_runs are written', async () => {
  const runs = await trainPredictions({ dataDir });
  assert.deepEqual(
    runs.map((r) => r.model),
    ['subscription', 'churn'],
  );
  const [subscription, churn] = runs;
  assert.ok(subscription!.aucHoldout > 0.7 && subscription!.rowsHoldout > 100, JSON.stringify(subscription));
  // Churn is trained point in time (features as of 14 days before the end of this 21-day lake, label from the 14
  // days after): fewer actors and an honest, lower AUC than a snapshot would fake.
  assert.ok(
    churn!.aucHoldout > 0.6 && churn!.rowsHoldout > 50 && churn!.positiveRate > 0.2 && churn!.positiveRate < 0.8,
    JSON.stringify(churn),
  );
  const [p] = await query(
    `SELECT count(*) AS n, count(DISTINCT actor_id) AS actors, min(score) AS lo, max(score) AS hi FROM gold_predictions`,
    ['gold.predictions'],
  );
  assert.equal(Number(p!['n']), 2 * Number(p!['actors']));
  assert.ok(Number(p!['lo']) >= 0 && Number(p!['hi']) <= 1 && Number(p!['hi']) > Number(p!['lo']));
  // Scored per person: every row names its person, and a person's devices carry one score per model.
  const [people] = await query(
    `SELECT count(*) FILTER (WHERE person_id IS NULL OR score IS NULL) AS unscored,
       count(*) FILTER (WHERE scores > 1) AS split, count(*) FILTER (WHERE devices > 1) AS multi_device, count(*) AS n
     FROM (SELECT person_id, model, any_value(score) AS score, count(DISTINCT score) AS scores, count(*) AS devices
           FROM gold_predictions GROUP BY ALL)`,
    ['gold.predictions'],
  );
  assert.equal(Number(people!['unscored']), 0);
  assert.equal(Number(people!['split']), 0);
  assert.ok(Number(people!['multi_device']) > 0, 'the demo has people on several devices');
  assert.ok(Number(people!['n']) < Number(p!['n']));
  await trainPredictions({ dataDir });
  const [again] = await query('SELECT count(*) AS n FROM gold_predictions', ['gold.predictions']);
  assert.equal(Number(again!['n']), Number(p!['n']), 'a rerun replaces the scores');
  const [m] = await query('SELECT count(*) AS n, min(auc_holdout) AS auc FROM lens_model_runs', ['lens.model_runs']);
  assert.equal(Number(m!['n']), 4);
  assert.ok(Number(m!['auc']) > 0.6);

  // A lake too young for a model (here: a churn horizon longer than the data): that model is skipped and
  // reported, the other still trains, and the skipped one's published scores stay.
  const skipped: string[] = [];
  const young = PROPENSITY_MODELS.map((spec) => (spec.name === 'churn' ? { ...spec, horizonDays: 400 } : spec));
  const partial = await trainPredictions({ dataDir, models: young, onSkipped: (model) => skipped.push(model) });
  assert.deepEqual(skipped, ['churn']);
  assert.deepEqual(
    partial.map((r) => r.model),
    ['subscription'],
  );
  const byModel = await query('SELECT model, count(*) AS n FROM gold_predictions GROUP BY model ORDER BY model', [
    'gold.predictions',
  ]);
  assert.deepEqual(
    byModel.map((r) => [r['model'], Number(r['n'])]),
    [
      ['churn', Number(p!['actors'])],
      ['subscription', Number(p!['actors'])],
    ],
  );
  await assert.rejects(trainPredictions({ dataDir, models: young }), /churn: too few people to train/);
});

test('the evaluation split is anchored on the newest read: later clicks and identifies do not move it', async () => {
  const newestRead = async (): Promise<number> => {
    const [r] = await query(
      `SELECT max(timestamp) AS t FROM silver_events WHERE event_name = 'Article Viewed' AND article_id IS NOT NULL`,
      ['silver.events'],
    );
    return new Date(r!['t'] as Date).getTime();
  };
  const readAt = await newestRead();
  const late = new Date(readAt + 3 * 86_400_000).toISOString();
  const [row] = [...bronzeRows({ users: 1, days: 1, seed: 9, start: DEMO_START })];
  await appendBronze(dataDir, [
    {
      ...row!,
      message_id: 'late-click',
      type: 'track',
      event: 'Recommendation Clicked',
      timestamp: late,
      received_at: late,
    },
  ]);
  await runPipelines({ dataDir, graph: recsPipelineGraph(), retries: 0, names: ['silver.events'] });
  assert.equal(await newestRead(), readAt, 'the click is no read');
  const again = await evaluateRecommendations({ dataDir, k: 10, folds: 2 });
  assert.equal(again.testEnd, new Date(readAt).toISOString());
  assert.deepEqual(
    again.folds.map((f) => [f.cutoff, f.testEnd]),
    [
      [new Date(readAt - 2 * 86_400_000).toISOString(), new Date(readAt - 86_400_000).toISOString()],
      [new Date(readAt - 86_400_000).toISOString(), new Date(readAt).toISOString()],
    ],
  );
});

test('evaluation: rolling test periods, back to back up to the newest read, each trained on what came before, pooled', async () => {
  // 21 days of reads: the default week of daily folds still leaves the first more than 7 days to train on.
  assert.equal(report.folds.length, DEFAULT_FOLDS);
  assert.equal(report.cutoff, report.folds[0]!.cutoff);
  assert.equal(report.testEnd, report.folds.at(-1)!.testEnd);
  for (const [i, f] of report.folds.entries()) {
    assert.equal(Date.parse(f.testEnd) - Date.parse(f.cutoff), 86_400_000, JSON.stringify(f));
    if (i > 0) assert.equal(f.cutoff, report.folds[i - 1]!.testEnd);
    assert.ok(f.users > 50 && f.catalogueSize > 100, JSON.stringify(f));
    // Scored on the period's own reads: never more people than read in it and had read before it (people as known
    // at its cutoff).
    const person = 'coalesce(i.person_id, e.user_id, e.anonymous_id)';
    const linked = `LEFT JOIN silver_identities i ON i.anonymous_id = e.anonymous_id AND i.first_linked_at < TIMESTAMPTZ '${f.cutoff}'`;
    const read = `e.event_name = 'Article Viewed' AND e.article_id IS NOT NULL`;
    const [readers] = await query(
      `SELECT count(*) AS n FROM (
        SELECT DISTINCT ${person} FROM silver_events e ${linked}
        WHERE ${read} AND e.timestamp >= TIMESTAMPTZ '${f.cutoff}' AND e.timestamp <= TIMESTAMPTZ '${f.testEnd}'
        INTERSECT SELECT DISTINCT ${person} FROM silver_events e ${linked} WHERE ${read} AND e.timestamp < TIMESTAMPTZ '${f.cutoff}')`,
      ['silver.events', 'silver.identities'],
    );
    assert.ok(f.users <= Number(readers!['n']), `${JSON.stringify(f)}: ${Number(readers!['n'])} readers`);
  }
  // Pooled over (person, period) pairs: each period's people counted once, and the pooled nDCG their weighted mean.
  const users = report.folds.reduce((n, f) => n + f.users, 0);
  assert.equal(report.methods.model.users, users);
  const weighted = report.folds.reduce((sum, f) => sum + f.ndcg.model * f.users, 0) / users;
  assert.ok(Math.abs(report.methods.model.ndcg - weighted) < 1e-9, `${report.methods.model.ndcg} vs ${weighted}`);
  // A later period has more people with a history to be scored on.
  assert.ok(report.folds.at(-1)!.users > report.folds[0]!.users, JSON.stringify(report.folds));
  assert.equal(defaultFolds(10 * 86_400_000, 86_400_000), 3);
  assert.equal(defaultFolds(3 * 86_400_000, 86_400_000), 1);
  assert.equal(defaultFolds(60 * 86_400_000, 2 * 86_400_000), DEFAULT_FOLDS);
});
