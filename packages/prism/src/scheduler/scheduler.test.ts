// The scheduler: schedules' due times (every N, cron), and a running scheduler picking up new bronze data.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { loadDefinitions } from '../definition/load-definitions.js';
import { buildGraph } from '../graph/pipeline-graph.js';
import { appendBronze, bronzeRows } from '../testing/bronze-fixture.js';
import { nextDue } from './schedule.js';
import { startScheduler } from './scheduler.js';

describe('scheduler', () => {
  it('computes due times', () => {
    const last = new Date('2025-01-01T10:00:30Z');
    const now = new Date('2025-01-01T10:01:00Z');
    assert.equal(nextDue('continuous', last, now).toISOString(), now.toISOString());
    assert.equal(nextDue('every 5 minutes', last, now).toISOString(), '2025-01-01T10:05:30.000Z');
    assert.equal(nextDue('cron: 0 * * * *', last, now).toISOString(), '2025-01-01T11:00:00.000Z');
    assert.equal(nextDue('every 5m', undefined, now).toISOString(), now.toISOString());
  });

  it('keeps silver.events up with bronze while running', async () => {
    const dataDir = join(tmpdir(), `prism-sched-${process.pid}`);
    const rows = [...bronzeRows({ seed: 3, users: 40, days: 1, start: '2025-02-01T00:00:00Z' })];
    await appendBronze(dataDir, rows.slice(0, 100));
    const graph = buildGraph(loadDefinitions().filter((d) => d.name === 'silver.events'));
    const scheduler = startScheduler({ dataDir, graph, tickMs: 50 });
    const count = async () => {
      const t = await DeltaTable.open(lakeTablePath(dataDir, 'silver.events'));
      return t.snapshot().then(
        async () => Number((await t.sql.all(`SELECT count(*) AS n FROM (${(await t.scan()).sql})`))[0]?.['n']),
        () => 0,
      );
    };
    const until = async (pred: (n: number) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const n = await count();
        if (pred(n)) return n;
        await new Promise((r) => setTimeout(r, 50));
      }
      return count();
    };
    const first = await until((n) => n > 0);
    await appendBronze(dataDir, rows.slice(100));
    const humans = rows.filter((r) => !r['is_bot']).length;
    assert.equal(await until((n) => n === humans), humans);
    assert.ok(first > 0 && first < humans);
    await scheduler.stop();
  });
});
