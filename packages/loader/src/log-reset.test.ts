// Bronze's markers are kept per log partition identity: a log replaced under a lake (its directory deleted and
// written again) loads from its start, a lake loaded before identities existed keeps its positions, and a log
// restored from an older copy of itself (same identity, shorter) is reported loudly.
import assert from 'node:assert/strict';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { createEventLog, type EventLog } from '@lens/log';
import { LoaderConfig, type Logger } from '@lens/protocol';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, readTable, tempDataDir } from './testing/records.js';

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
    const withoutIdentity = new Proxy(env.log, {
      get: (log, key: keyof EventLog) =>
        key === 'identity' ? async () => undefined : (log[key] as (...a: unknown[]) => unknown).bind(log),
    });
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
