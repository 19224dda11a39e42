// The running pipelines retrain gold.predictions on their own (every recs.predictionsEveryMinutes): a lake
// without gold.user_features yet is waited for, one with it gets its predictions; 0 turns it off.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDuckDB, DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { LensConfig } from '@lens/protocol';
import { buildDemoLake } from '@lens/recs';
import { pino } from 'pino';
import { startPredictionsRefresh } from './pipelines-role.js';

function capture(): { logger: pino.Logger; messages: () => string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { logger, messages: () => lines.map((l) => (JSON.parse(l) as { msg: string }).msg) };
}

async function until(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a lake without gold.user_features is waited for; one with it gets gold.predictions; 0 turns it off', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lens-predictions-'));
  const config = (minutes: number): LensConfig =>
    LensConfig.parse({ dataDir, recs: { predictionsEveryMinutes: minutes } });

  const off = capture();
  await startPredictionsRefresh(config(0), off.logger, 1).stop();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(off.messages(), []);

  const early = capture();
  const waiting = startPredictionsRefresh(config(60), early.logger, 1);
  await until('the first run', () => early.messages().length > 0);
  await waiting.stop();
  assert.deepEqual(early.messages(), ['predictions_not_ready']);

  await buildDemoLake(dataDir, {
    users: 400,
    days: 21,
    names: ['silver.events', 'silver.identities', 'gold.user_features'],
  });
  const ready = capture();
  const refresh = startPredictionsRefresh(config(60), ready.logger, 1);
  await until('a trained model', () => ready.messages().includes('predictions_trained'));
  await refresh.stop();
  const db = await createDuckDB();
  try {
    const scan = (await (await DeltaTable.open(lakeTablePath(dataDir, 'gold.predictions'), { sql: db })).scan()).sql;
    const [row] = await db.all(`SELECT count(*) AS n FROM (${scan})`);
    assert.ok(Number(row!['n']) > 0, 'gold.predictions has rows');
  } finally {
    db.close();
  }
});
