// Bronze's markers are kept per log partition identity: a log replaced under a lake (its directory deleted and
// written again) loads from its start, a lake loaded before identities existed keeps its positions, and a log
// restored from an older copy of itself (same identity, shorter) is reported loudly.
import assert from 'node:assert/strict';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { createDuckDB } from '@lens/lake';
import { createEventLog, type EventLog } from '@lens/log';
import { LoaderConfig, type Logger } from '@lens/protocol';
import { BronzeTable, serialSql } from './bronze-table.js';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable, rejectedRecord, tempDataDir } from './testing/records.js';

const at = '2026-03-10T12:00:00.000Z';
const config = LoaderConfig.parse({ port: 0 });
const records = (ids: string[]) => ids.map((messageId) => acceptedRecord({ messageId, receivedAt: at, timestamp: at }));
const logged = () => {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const logger: Logger = {
    debug() {},
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
  return { lines, logger };
};
const openLog = (dataDir: string) =>
  createEventLog({ backend: 'local', dir: join(dataDir, 'log'), minFreeDiskBytes: 0 });
const append = async (log: EventLog, ids: string[]) => {
  const w = await log.openWriter({ partition: 0 });
  await w.append(records(ids));
  await w.close();
};
/** The log as a Lens from before partition identities saw it (bronze markers of the form lens-loader:<table>:p<N>). */
const asBeforeIdentities = (log: EventLog): EventLog =>
  new Proxy(log, {
    get: (target, key: keyof EventLog) =>
      key === 'identity' ? async () => undefined : (target[key] as (...a: unknown[]) => unknown).bind(target),
  });
const loadedIds = async (dataDir: string) =>
  (await readTable(dataDir, 'bronze.events')).map((r) => String(r['message_id'])).sort();

it('a log replaced under the lake is loaded from its start, every record of it (it used to wait unseen)', async () => {
  const env = await tempDataDir();
  try {
    await append(env.log, ['m1', 'm2', 'm3']);
    assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log })).eventsLoaded, 3);
    await env.log.close();

    await rm(join(env.dataDir, 'log'), { recursive: true });
    const fresh = await openLog(env.dataDir);
    try {
      await append(fresh, ['n1']);
      const { lines, logger } = logged();
      assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: fresh, logger })).eventsLoaded, 1);
      assert.ok(
        lines.some((l) => l.level === 'warn' && l.msg === 'loader_new_log_partition'),
        JSON.stringify(lines),
      );
      assert.ok(!lines.some((l) => l.msg === 'loader_position_beyond_log_end'));
      // Past the former log's end too: records 1..3 of the new log were marked loaded by the old one's markers.
      await append(fresh, ['n2', 'n3', 'n4', 'n5']);
      assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: fresh })).eventsLoaded, 4);
      assert.deepEqual(await loadedIds(env.dataDir), ['m1', 'm2', 'm3', 'n1', 'n2', 'n3', 'n4', 'n5']);
      // And a restart resumes from the new markers: nothing twice.
      assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: fresh })).eventsLoaded, 0);
    } finally {
      await fresh.close();
    }
  } finally {
    await rm(env.dataDir, { recursive: true, force: true });
  }
});

it('a lake loaded before partitions had identities keeps its positions (markers adopted, nothing reloaded)', async () => {
  const env = await tempDataDir();
  try {
    await append(env.log, ['m1', 'm2']);
    // An earlier Lens: no identity, so markers of the form lens-loader:<table>:p<N>.
    const withoutIdentity = asBeforeIdentities(env.log);
    assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: withoutIdentity })).eventsLoaded, 2);
    const { lines, logger } = logged();
    assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log, logger })).eventsLoaded, 0);
    assert.ok(
      lines.some((l) => l.msg === 'loader_marker_adopted'),
      JSON.stringify(lines),
    );
    await append(env.log, ['m3']);
    assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log })).eventsLoaded, 1);
    assert.deepEqual(await loadedIds(env.dataDir), ['m1', 'm2', 'm3']);
  } finally {
    await env.cleanup();
  }
});

it('a log restored from an older copy of itself (same identity, ends before the markers) is reported', async () => {
  const env = await tempDataDir();
  const copy = join(env.dataDir, 'log-copy');
  try {
    await append(env.log, ['m1']);
    await env.log.close();
    await cp(join(env.dataDir, 'log'), copy, { recursive: true });
    const log = await openLog(env.dataDir);
    await append(log, ['m2', 'm3']);
    assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log })).eventsLoaded, 3);
    await log.close();

    await rm(join(env.dataDir, 'log'), { recursive: true });
    await cp(copy, join(env.dataDir, 'log'), { recursive: true });
    const restored = await openLog(env.dataDir);
    try {
      const { lines, logger } = logged();
      assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: restored, logger })).eventsLoaded, 0);
      const reported = lines.find((l) => l.msg === 'loader_position_beyond_log_end');
      assert.ok(reported && reported.level === 'error', JSON.stringify(lines));
      assert.deepEqual(
        [(reported.obj as { position: number }).position, (reported.obj as { end: number }).end],
        [3, 1],
      );
    } finally {
      await restored.close();
    }
  } finally {
    await rm(env.dataDir, { recursive: true, force: true });
  }
});

it('a log replaced after an upgrade, before every table moved its marker, loads from its start in every table', async () => {
  const env = await tempDataDir();
  const sql = await createDuckDB();
  try {
    // An earlier Lens loads m1, q1, m2: both tables hold markers of the form lens-loader:<table>:p0, at 3.
    const w = await env.log.openWriter({ partition: 0 });
    await w.append([acceptedRecord({ messageId: 'm1' }), rejectedRecord({ messageId: 'q1' }), acceptedRecord()]);
    await w.close();
    const withoutIdentity = asBeforeIdentities(env.log);
    const old = await runLoaderOnce({ config, dataDir: env.dataDir, log: withoutIdentity });
    assert.deepEqual([old.eventsLoaded, old.quarantined], [2, 1]);
    // The upgraded loader commits bronze.events under the log's identity, then dies (SIGKILL, power loss) before
    // bronze.quarantine, which had no rows, moved its marker (it waits up to 30 s for rows): that table still holds
    // only the earlier form.
    await append(env.log, ['m3']);
    const events = await BronzeTable.open(env.dataDir, 'events', serialSql(sql));
    await events.commitBatch(0, 3, 4, undefined, await env.log.identity(0));
    await env.log.close();

    // Then the log is replaced: its records, rejected ones too, are all new to the lake.
    await rm(join(env.dataDir, 'log'), { recursive: true });
    const fresh = await openLog(env.dataDir);
    try {
      const w2 = await fresh.openWriter({ partition: 0 });
      await w2.append([
        rejectedRecord({ messageId: 'q2' }),
        acceptedRecord({ messageId: 'n1' }),
        rejectedRecord({ messageId: 'q3' }),
        acceptedRecord({ messageId: 'n2' }),
      ]);
      await w2.close();
      const { lines, logger } = logged();
      const run = await runLoaderOnce({ config, dataDir: env.dataDir, log: fresh, logger });
      // The quarantine's marker of the earlier form is the former log's position: adopting it skipped q2 and q3.
      assert.ok(!lines.some((l) => l.msg === 'loader_marker_adopted'), JSON.stringify(lines));
      assert.deepEqual([run.eventsLoaded, run.quarantined], [2, 2]);
      const quarantined = await readTable(env.dataDir, 'bronze.quarantine', 'message_id');
      assert.deepEqual(quarantined.map((r) => r['message_id']).sort(), ['q1', 'q2', 'q3']);
      // A restart reloads nothing.
      const again = await runLoaderOnce({ config, dataDir: env.dataDir, log: fresh });
      assert.deepEqual([again.eventsLoaded, again.quarantined], [0, 0]);
    } finally {
      await fresh.close();
    }
  } finally {
    sql.close();
    await rm(env.dataDir, { recursive: true, force: true });
  }
});
