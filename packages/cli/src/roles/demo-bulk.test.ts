// `lens demo --bulk`: N events through the collector's validation into the log and the loader into bronze —
// every generated event either loaded once or quarantined with its reason, dated inside the period.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { DeltaTable, LakeCatalog } from '@lens/lake';
import { LensConfig } from '@lens/protocol';
import { pino } from 'pino';
import { bulkPeriodStart, runDemoBulk } from './demo-bulk.js';

const scratch = mkdtempSync(join(tmpdir(), 'lens-bulk-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

it('writes N demo events into bronze.events and bronze.quarantine, each exactly once', async () => {
  const dataDir = join(scratch, 'data');
  const config = { ...LensConfig.parse({}), dataDir };
  const result = await runDemoBulk(
    config,
    { count: 6000, days: 14, seed: 7, sourceId: 'demo' },
    pino({ level: 'silent' }),
  );
  assert.equal(result.generated, 6000);
  assert.equal(result.loaded + result.quarantined, 6000);
  assert.ok(result.quarantined > 0, 'the demo plants malformed events; they must reach the quarantine');

  const catalog = new LakeCatalog(join(dataDir, 'lake'));
  const events = await (await DeltaTable.open(catalog.tablePath('bronze.events'))).query();
  assert.equal(events.length, result.loaded);
  assert.equal(new Set(events.map((e) => e['message_id'])).size, events.length);
  const start = bulkPeriodStart(14).getTime();
  let newest = 0;
  for (const e of events) {
    const ts = (e['timestamp'] as Date).getTime();
    assert.ok(ts >= start && ts <= Date.now(), `timestamp ${String(e['timestamp'])} outside the period`);
    newest = Math.max(newest, ts);
  }
  // The population is sized so that the N events span the period up to (about) today, not its first days.
  assert.ok(Date.now() - newest < 2 * 86_400_000, `the newest event is ${new Date(newest).toISOString()}`);
  const quarantine = await (await DeltaTable.open(catalog.tablePath('bronze.quarantine'))).query();
  assert.equal(quarantine.length, result.quarantined);
  assert.ok(quarantine.every((q) => typeof q['reason'] === 'string' && (q['reason'] as string).length > 0));
});

it('starts the period on a Monday at 00:00 UTC', () => {
  const start = bulkPeriodStart(56, Date.UTC(2026, 10, 26, 15));
  assert.equal(start.toISOString(), '2026-09-28T00:00:00.000Z');
  assert.equal(start.getUTCDay(), 1);
});
