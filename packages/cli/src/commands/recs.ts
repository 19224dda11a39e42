// `lens recs train|load|evaluate`: recommendation training as Prism pipelines (@lens/recs), loading the gold
// tables into the serving KeyValueStore (pointer swap, no downtime), and offline evaluation against baselines.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { pipelinesMemoryBytes } from '@lens/protocol';
import type { EvaluationReport, RankingMetrics } from '@lens/recs';
import {
  integerOption,
  positiveOption,
  resolveConfig,
  withCommonOptions,
  type CommonOptions,
} from '../common-options.js';

/** Training, serving and evaluation load when a sub-command runs, not for `lens --help` (they pull in DuckDB). */
const recsModule = () => import('@lens/recs');

interface EvaluateFlags extends CommonOptions {
  k: number;
  testDays: number;
  folds?: number;
  demo?: boolean;
  users: number;
  days: number;
  seed: number;
  json?: boolean;
}

const row = (name: string, m: RankingMetrics): string =>
  `${name.padEnd(16)} ${[m.precision, m.recall, m.ndcg, m.map, m.coverage].map((x) => x.toFixed(4).padStart(9)).join(' ')} ${String(m.users).padStart(7)}\n`;

function printReport(r: EvaluationReport): void {
  const out = process.stdout;
  const folds = r.folds.length;
  out.write(
    folds === 1
      ? `train < ${r.cutoff} ≤ test < ${r.testEnd}; k=${r.k}; catalogue ${r.catalogueSize} articles; cold people ${r.coldUsers}\n`
      : `${folds} test periods from ${r.cutoff} to ${r.testEnd}, each trained on the events before it; k=${r.k}; catalogue ${r.catalogueSize} articles on average; cold people ${r.coldUsers} (person-periods)\n`,
  );
  if (folds > 1) {
    out.write(`\nper test period: people, nDCG@k model vs popularity\n`);
    for (const f of r.folds)
      out.write(
        `${f.cutoff} … ${f.testEnd}  ${String(f.users).padStart(6)}  ${f.ndcg.model.toFixed(4)} vs ${f.ndcg.popularity.toFixed(4)}  ${ratioText(f.ndcg.model, f.ndcg.popularity, f.users)}\n`,
      );
    out.write(`metrics below pooled over the ${folds} periods (n counts person-periods; coverage is their mean)\n`);
  }
  for (const [title, group] of [
    ['people (userId/anonymousId)', r.methods],
    ['context (next article in the visit)', r.context],
  ] as const) {
    out.write(
      `\n${title}\n${'method'.padEnd(16)} ${['P@k', 'R@k', 'nDCG@k', 'MAP@k', 'coverage'].map((h) => h.padStart(9)).join(' ')} ${'n'.padStart(7)}\n`,
    );
    for (const [name, m] of Object.entries(group)) out.write(row(name, m));
    out.write(`model / popularity nDCG: ${ratioText(group.model.ndcg, group.popularity.ndcg, group.model.users)}\n`);
  }
  if (r.planted) {
    out.write(
      "\nplanted section preferences: learned taste (gold.reader_tastes) top 3 vs planted top 3; distance to the planted mix of the segment mean vs everybody's mean, and per person\n",
    );
    for (const s of r.planted.segments)
      out.write(
        `${s.segment.padEnd(17)} ${s.tasteTop3.join(',').padEnd(28)} ${s.plantedTop3.join(',').padEnd(28)} ${s.distanceTaste.toFixed(2)} vs ${s.distanceEverybody.toFixed(2)}, per person ${s.distancePerson.toFixed(2)}\n`,
      );
    out.write(
      'served lists: recommended top 3; distance of their section mix to the planted mix, model vs popularity\n',
    );
    for (const s of r.planted.segments)
      out.write(
        `${s.segment.padEnd(17)} ${s.recommendedTop3.join(',').padEnd(28)} ${s.distanceModel.toFixed(2)} vs ${s.distancePopularity.toFixed(2)} (${s.people} people evaluated)\n`,
      );
    out.write(
      `planted co-reading pairs recovered: ${r.planted.coReadMatches}/${r.planted.coRead.length} (${r.planted.coRead.map((c) => `${c.from}→${c.recovered}${c.recovered === c.planted ? '' : `≠${c.planted}`}`).join(' ')})\n`,
    );
  }
}

/** Fewer people than this in a test split make a ratio of two nDCGs noise: it is printed with a warning. */
const FEW_PEOPLE = 30;

/** The model/baseline ratio, or why there is none (a baseline of 0 made it 1,000,000,000,000×). */
export function ratioText(model: number, baseline: number, people: number): string {
  if (people === 0) return 'n/a (nobody to evaluate)';
  if (baseline === 0) return `n/a (the baseline scored 0 on ${people} ${people === 1 ? 'person' : 'people'})`;
  const ratio = `${(model / baseline).toFixed(2)}×`;
  return people < FEW_PEOPLE
    ? `${ratio} (only ${people} ${people === 1 ? 'person' : 'people'}: noise; check --test-days)`
    : ratio;
}

/** Registers `lens recs` and its subcommands. */
export function registerRecsCommand(program: Command): void {
  const recs = program
    .command('recs')
    .description('recommendations: train on the lake, load into the serving store, evaluate');
  withCommonOptions(recs.command('train'))
    .description(
      'run the recommendation pipelines (and their inputs) in Prism, train the propensity models (gold.predictions), then load for serving',
    )
    .option('--full-refresh', 'recompute from all input rows')
    .option('--no-load', 'train only')
    .action(async (flags: CommonOptions & { fullRefresh?: boolean; load: boolean }) => {
      const config = resolveConfig(flags);
      const [{ runPipelines }, { recsPipelineGraph, RECS_INPUTS, trainPredictions }] = await Promise.all([
        import('@lens/prism'),
        recsModule(),
      ]);
      const graph = recsPipelineGraph({
        shipped: config.pipelines.shipped,
        ...(config.pipelines.dir ? { dirs: [config.pipelines.dir] } : {}),
      });
      // Before anything is written (a run history table under a mistyped --data, then "gold.user_features is missing").
      if (!existsSync(join(config.dataDir, 'lake')))
        throw new Error(`no lake in ${config.dataDir}: check --data, or load events first (lens up, lens demo --bulk)`);
      const records = await runPipelines({
        dataDir: config.dataDir,
        graph,
        names: RECS_INPUTS,
        mode: flags.fullRefresh ? { kind: 'full' } : { kind: 'incremental' },
        memoryLimitBytes: pipelinesMemoryBytes(config.pipelines),
      });
      for (const r of records)
        process.stdout.write(
          `${r.pipeline.padEnd(24)} ${r.status.padEnd(9)} out ${r.rowsOut} ${r.endedAt.getTime() - r.startedAt.getTime()} ms${r.error ? `  ${r.error}` : ''}\n`,
        );
      if (records.some((r) => r.status === 'failed')) {
        process.exitCode = 1;
        return;
      }
      const onSkipped = (model: string, reason: string): void => {
        process.stdout.write(`gold.predictions ${model.padEnd(13)} skipped: ${reason}\n`);
      };
      for (const m of await trainPredictions({ dataDir: config.dataDir, onSkipped })) {
        process.stdout.write(
          `gold.predictions ${m.model.padEnd(13)} holdout AUC ${m.aucHoldout.toFixed(3)} (${m.rowsTrain} train / ${m.rowsHoldout} holdout, positives ${(m.positiveRate * 100).toFixed(1)} %)\n`,
        );
        // Published all the same (the run is recorded), but a reader of the output should not trust its scores.
        if (!(m.aucHoldout >= 0.55))
          process.stderr.write(
            `lens recs train: warning: ${m.model} is no better than chance on its holdout (AUC ${m.aucHoldout.toFixed(3)}); its scores carry little signal\n`,
          );
      }
      if (flags.load) await load(config.dataDir, config);
    });
  withCommonOptions(recs.command('load'))
    .description(
      'load gold.recommendations / similar_articles / trending_articles into the serving store (new version, then swap)',
    )
    .action(async (flags: CommonOptions) => {
      const config = resolveConfig(flags);
      await load(config.dataDir, config);
    });
  withCommonOptions(recs.command('evaluate'))
    .description(
      'time-based splits (a week of daily test periods by default): precision/recall/nDCG/MAP@k and coverage vs popularity and random baselines',
    )
    .option('--k <k>', 'list length', positiveOption('--k', true), 10)
    .option('--test-days <n>', 'length of each test period in days', positiveOption('--test-days', true), 1)
    .option(
      '--folds <n>',
      'test periods back to back at the end of the data, each trained on what came before it (default 7, fewer when that leaves the first under 7 days of training)',
      positiveOption('--folds', true),
    )
    .option('--demo', 'evaluate on generated demo data (in a temporary folder) and check the planted preferences')
    .option('--users <n>', 'demo people', positiveOption('--users', true), 3000)
    .option('--days <n>', 'demo days', positiveOption('--days', true), 28)
    .option('--seed <n>', 'demo seed', integerOption('--seed'), 42)
    .option('--json', 'print the report as JSON')
    .action(async (flags: EvaluateFlags) => {
      const config = resolveConfig(flags);
      // Lists are served (and trained) no longer than maxK: a larger k would score the model's short lists
      // against baselines given k items.
      if (flags.k > config.recs.maxK)
        throw new Error(`--k: ${flags.k} exceeds recs.maxK (${config.recs.maxK}), the longest list the API serves`);
      const options = {
        k: flags.k,
        testDays: flags.testDays,
        ...(flags.folds === undefined ? {} : { folds: flags.folds }),
        ageLimits: config.recs.maxAgeHours,
        memoryLimitBytes: pipelinesMemoryBytes(config.pipelines),
      };
      const { buildDemoLake, evaluateRecommendations } = await recsModule();
      let report: EvaluationReport;
      if (flags.demo) {
        const dir = await mkdtemp(join(tmpdir(), 'lens-recs-eval-'));
        try {
          process.stderr.write(
            `generating ${flags.users} people × ${flags.days} days of demo events and running the pipelines…\n`,
          );
          const lake = await buildDemoLake(dir, { users: flags.users, days: flags.days, seed: flags.seed });
          report = await evaluateRecommendations({ dataDir: dir, ...options, segments: lake.segments });
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      } else {
        report = await evaluateRecommendations({ dataDir: config.dataDir, ...options });
      }
      // An empty split is no evaluation: all-zero tables with exit 0 read like a model that recommends nothing.
      if (report.methods.model.users === 0)
        throw new Error(
          `nothing to evaluate: no one read a recommendable article in the test period (${report.cutoff} … ${report.testEnd}); check --test-days against the lake's span`,
        );
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(report);
    });
}

async function load(dataDir: string, config: ReturnType<typeof resolveConfig>): Promise<void> {
  // Before the store is opened (the embedded one is a file it would create under a mistyped --data).
  if (!existsSync(join(dataDir, 'lake')))
    throw new Error(`no lake in ${dataDir}: check --data, or run the pipelines first (lens recs train)`);
  const { loadRecommendations, openRecsStore } = await recsModule();
  const store = await openRecsStore(config.recs, dataDir);
  try {
    // Alone in its process: every core, but limited and spilling like a pipeline run.
    const r = await loadRecommendations({
      dataDir,
      store,
      keepVersions: config.recs.keepVersions,
      session: { memoryLimitBytes: pipelinesMemoryBytes(config.pipelines), spillUnder: join(dataDir, 'tmp', 'recs') },
    });
    process.stdout.write(
      `recs ${r.status}: version ${r.version}${r.kind === 'layer' ? ` (a layer of the changes over ${r.layers!.slice(1).join(', ')})` : ''}, ${r.keys} keys, ${r.ms} ms${r.deletedVersions.length ? `, deleted ${r.deletedVersions.join(', ')}` : ''}\n`,
    );
  } finally {
    await store.close();
  }
}
