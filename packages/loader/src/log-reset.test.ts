// A log replaced under a lake (deleted, restored from an older copy): the bronze tables' markers point past its
// end, so the records it holds would wait unseen. The loader says so, loudly.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { createEventLog } from '@lens/log';
import { LoaderConfig, type Logger } from '@lens/protocol';
import { runLoaderOnce } from './run-loader-once.js';
import { acceptedRecord, tempDataDir } from './testing/records.js';

it('a log that ends before the position bronze recorded is reported as replaced (it waited in silence)', async () => {
  const env = await tempDataDir();
  const config = LoaderConfig.parse({ port: 0 });
  try {
    const at = '2026-03-10T12:00:00.000Z';
    const writer = await env.log.openWriter();
    await writer.append([1, 2, 3].map((i) => acceptedRecord({ messageId: `m${i}`, receivedAt: at, timestamp: at })));
    await writer.close();
    assert.equal((await runLoaderOnce({ config, dataDir: env.dataDir, log: env.log })).eventsLoaded, 3);
    await env.log.close();

    await rm(join(env.dataDir, 'log'), { recursive: true });
    const fresh = await createEventLog({ backend: 'local', dir: join(env.dataDir, 'log'), minFreeDiskBytes: 0 });
    try {
      const w = await fresh.openWriter();
      await w.append([acceptedRecord({ messageId: 'm-new', receivedAt: at, timestamp: at })]);
      await w.close();
      const errors: { obj: object; msg?: string }[] = [];
      const logger: Logger = { info() {}, warn() {}, debug() {}, error: (obj, msg) => errors.push({ obj, msg }) };
      const stats = await runLoaderOnce({ config, dataDir: env.dataDir, log: fresh, logger });
      assert.equal(stats.eventsLoaded, 0);
      const reported = errors.find((e) => e.msg === 'loader_position_beyond_log_end');
      assert.ok(reported, `errors logged: ${JSON.stringify(errors)}`);
      assert.equal((reported.obj as { partition: number }).partition, 0);
      assert.ok((reported.obj as { position: number; end: number }).position > (reported.obj as { end: number }).end);
    } finally {
      await fresh.close();
    }
  } finally {
    await rm(env.dataDir, { recursive: true, force: true });
  }
});
