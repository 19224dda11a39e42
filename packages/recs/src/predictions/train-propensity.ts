// Trains the propensity models (hash split: 80 % train, 20 % holdout) — on gold.user_features, or point in time
// from silver.events for a label about the future — records each run with its holdout AUC in lens.model_runs,
// and writes the scores to gold.predictions (the models' rows replaced): per person (the devices silver.identities
// links, summed), repeated on each of the person's actors so that a device finds its person's score.
import { randomUUID } from 'node:crypto';
import { createDuckDB, DeltaTable, type ColumnSpec } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { RecsTrainingError } from '../errors.js';
import { auc, fitLogisticRegression, predictProbability } from './logistic-regression.js';
import {
  actorPersonSql,
  featureSql,
  pointInTimeSql,
  PROPENSITY_MODELS,
  type PropensitySpec,
} from './propensity-models.js';

/** One model's training run, as recorded in lens.model_runs. */
export interface ModelRun {
  runId: string;
  model: string;
  trainedAt: string;
  rowsTrain: number;
  rowsHoldout: number;
  positiveRate: number;
  aucHoldout: number;
  weights: Record<string, number>;
}

const PREDICTIONS: readonly ColumnSpec[] = [
  { name: 'actor_id', type: 'string', nullable: false },
  { name: 'user_id', type: 'string' },
  { name: 'person_id', type: 'string' },
  { name: 'model', type: 'string', nullable: false },
  { name: 'score', type: 'double' },
  { name: 'computed_at', type: 'timestamp' },
  { name: 'run_id', type: 'string' },
];
const RUNS: readonly ColumnSpec[] = [
  { name: 'run_id', type: 'string', nullable: false },
  { name: 'model', type: 'string' },
  { name: 'trained_at', type: 'timestamp' },
  { name: 'rows_train', type: 'long' },
  { name: 'rows_holdout', type: 'long' },
  { name: 'positive_rate', type: 'double' },
  { name: 'auc_holdout', type: 'double' },
  { name: 'l2', type: 'double' },
  { name: 'model_json', type: 'string' },
];

/**
 * Trains every model in `models` (default: subscription and churn propensity) and writes the outputs.
 * @example const runs = await trainPredictions({ dataDir: './lens-data' }); runs[0].aucHoldout
 */
export async function trainPredictions(options: {
  dataDir: string;
  models?: readonly PropensitySpec[];
  l2?: number;
  holdoutShare?: number;
  /**
   * Called for a model the lake has too few people for (a young lake: churn needs its horizon of history). The
   * other models still train and publish; the skipped one's earlier predictions stay as they were.
   */
  onSkipped?: (model: string, reason: string) => void;
}): Promise<ModelRun[]> {
  const db = await createDuckDB();
  try {
    const uf = await DeltaTable.open(lakeTablePath(options.dataDir, 'gold.user_features'), { sql: db });
    const scan = (
      await uf.scan().catch((cause: unknown) => {
        throw new RecsTrainingError('gold.user_features is missing (run the pipelines first)', {
          cause,
          context: { step: 'predictions' },
        });
      })
    ).sql;
    // People are resolved through silver.identities when the lake has it (else each user id or device is one).
    const identities = await DeltaTable.open(lakeTablePath(options.dataDir, 'silver.identities'), { sql: db })
      .then((t) => t.scan())
      .then(
        (plan) => plan.sql,
        () => undefined,
      );
    const actors = await db.all(actorPersonSql(scan, identities));
    const runs: ModelRun[] = [];
    const predictions: Record<string, unknown>[] = [];
    let events: string | undefined;
    for (const spec of options.models ?? PROPENSITY_MODELS) {
      const names = Object.keys(spec.features);
      const holdoutShare = options.holdoutShare ?? 0.2;
      const rows = await db.all(featureSql(spec, scan, identities, holdoutShare));
      let labelled = rows;
      if (spec.horizonDays !== undefined) {
        events ??= (
          await (
            await DeltaTable.open(lakeTablePath(options.dataDir, 'silver.events'), { sql: db })
          )
            .scan()
            .catch((cause: unknown) => {
              throw new RecsTrainingError('silver.events is missing (run the pipelines first)', {
                cause,
                context: { step: 'predictions' },
              });
            })
        ).sql;
        labelled = await db.all(
          pointInTimeSql({ ...spec, horizonDays: spec.horizonDays }, events, identities, holdoutShare),
        );
      }
      const x = (r: Record<string, unknown>): number[] => names.map((n) => Number(r[n] ?? 0));
      const train = labelled.filter((r) => !r['holdout']);
      const holdout = labelled.filter((r) => r['holdout']);
      if (train.length < 20 || holdout.length < 5) {
        const reason = `too few people to train (${labelled.length}; at least 20 to train and 5 to hold out)`;
        if (options.onSkipped === undefined)
          throw new RecsTrainingError(`${spec.name}: ${reason}`, { context: { step: 'predictions' } });
        options.onSkipped(spec.name, reason);
        continue;
      }
      const model = fitLogisticRegression(
        names,
        train.map(x),
        train.map((r) => Number(r['label'])),
        { l2: options.l2 ?? 1 },
      );
      const run: ModelRun = {
        runId: randomUUID(),
        model: spec.name,
        trainedAt: new Date().toISOString(),
        rowsTrain: train.length,
        rowsHoldout: holdout.length,
        positiveRate: labelled.reduce((s, r) => s + Number(r['label']), 0) / labelled.length,
        aucHoldout: auc(
          holdout.map((r) => predictProbability(model, x(r))),
          holdout.map((r) => Number(r['label'])),
        ),
        weights: Object.fromEntries(names.map((n, j) => [n, model.weights[j]!])),
      };
      runs.push(run);
      const at = new Date(Number(rows[0]?.['now_ms'] ?? Date.now())).toISOString();
      // Scored per person; written per actor too, so a device (an anonymous id) finds its person's score.
      const scores = new Map(rows.map((r) => [String(r['person_id']), predictProbability(model, x(r))]));
      for (const a of actors)
        predictions.push({
          actor_id: a['actor_id'],
          person_id: a['person_id'],
          user_id: a['user_id'] ?? null,
          model: spec.name,
          score: scores.get(String(a['person_id'])) ?? null,
          computed_at: at,
          run_id: run.runId,
        });
      await appendRun(options.dataDir, run, model);
    }
    if (runs.length === 0) return runs;
    const out = await openOrCreate(options.dataDir, 'gold.predictions', PREDICTIONS);
    // A table written before scores were per person gains the column (older rows: null until replaced below).
    const columns = (await out.snapshot()).schema.fields.map((f) => f.name);
    if (!columns.includes('person_id')) await out.addColumns([{ name: 'person_id', type: 'string' }]);
    // Only the models trained now are replaced (a skipped one keeps what an earlier run published).
    const trained = runs.map((r) => `'${r.model.replaceAll("'", "''")}'`).join(', ');
    await out.replace({ rows: predictions }, { where: `model IN (${trained})` });
    return runs;
  } finally {
    db.close();
  }
}

async function openOrCreate(dataDir: string, name: string, columns: readonly ColumnSpec[]): Promise<DeltaTable> {
  const table = await DeltaTable.open(lakeTablePath(dataDir, name));
  if (
    !(await table.snapshot().then(
      () => true,
      () => false,
    ))
  )
    await table.create({ columns, name });
  return table;
}

async function appendRun(dataDir: string, run: ModelRun, model: object): Promise<void> {
  const table = await openOrCreate(dataDir, 'lens.model_runs', RUNS);
  await table.append({
    rows: [
      {
        run_id: run.runId,
        model: run.model,
        trained_at: run.trainedAt,
        rows_train: run.rowsTrain,
        rows_holdout: run.rowsHoldout,
        positive_rate: run.positiveRate,
        auc_holdout: Number.isNaN(run.aucHoldout) ? null : run.aucHoldout,
        l2: (model as { l2: number }).l2,
        model_json: JSON.stringify(model),
      },
    ],
  });
}
