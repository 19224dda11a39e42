// End to end through the real binary: `lens up` in a temp directory, events sent with @segment/analytics-node from a
// device whose clock runs an hour fast, read back with `lens query`: every column of bronze.events, the
// clock-skew-corrected timestamp included, and a resend of the same messageId loaded once.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Analytics } from '@segment/analytics-node';
import { LENS_BIN, TEST_WRITE_KEY, tempLensHome } from './testing/lens-process.js';

const SKEW_MS = 3_600_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** `lens query` prints TIMESTAMPTZ as `2026-01-02 10:00:00.123+00`. */
const ms = (text: unknown): number => Date.parse(String(text).replace(' ', 'T').replace(/\+00$/, 'Z'));
/** Moves every time the SDK wrote by the device's skew, as a device with a fast clock would have written them. */
const skewed = (iso: string): string => new Date(Date.parse(iso) + SKEW_MS).toISOString();

type Row = Record<string, unknown>;

test('lens up: events from @segment/analytics-node land in bronze.events with every column right', async () => {
  const home = tempLensHome('loader:\n  port: 0\npipelines:\n  port: 0\n  shipped: false\nserver:\n  port: 0\n');
  const up = spawn(
    process.execPath,
    [LENS_BIN, 'up', '--config', home.config, '--data', home.data, '--port', '0', '--log-level', 'info'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  up.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  up.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => up.once('exit', () => resolve()));
  const query = (sql: string): Row[] => {
    const r = spawnSync(process.execPath, [LENS_BIN, 'query', sql, '--data', home.data, '--format', 'json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Row[];
  };
  try {
    for (let i = 0; i < 600 && !out.includes('"msg":"lens_up_ready"'); i++) await sleep(100);
    assert.ok(out.includes('"msg":"lens_up_ready"'), `lens up did not get ready:\n${out}`);
    const port = Number(/"port":(\d+)[^\n]*"msg":"collector_listening"/.exec(out)?.[1]);

    const analytics = new Analytics({
      writeKey: TEST_WRITE_KEY,
      host: `http://127.0.0.1:${port}`,
      flushAt: 20,
      maxRetries: 3,
      // The SDK's own request, its body's times moved as the fast clock wrote them.
      httpClient: (url, init) => {
        const body = JSON.parse(init.body) as { sentAt: string; batch: { timestamp: string }[] };
        body.sentAt = skewed(body.sentAt);
        for (const event of body.batch) event.timestamp = skewed(event.timestamp);
        return fetch(url, { ...init, body: JSON.stringify(body) });
      },
    });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    const calledAt = Date.now();
    const context = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0' };
    analytics.track({
      userId: 'u1',
      event: 'Article Read',
      properties: { id: 42, title: 'héllo', nested: { a: [1, 2] } },
      context,
      messageId: 'e2e-track',
    });
    analytics.identify({ userId: 'u1', traits: { email: 'a@b.c', plan: 'pro' }, messageId: 'e2e-identify' });
    analytics.page({ anonymousId: 'anon-1', name: 'Home', category: 'Docs', messageId: 'e2e-page' });
    analytics.screen({ userId: 'u2', name: 'Main', messageId: 'e2e-screen' });
    analytics.group({ userId: 'u1', groupId: 'g1', traits: { name: 'ACME' }, messageId: 'e2e-group' });
    analytics.alias({ userId: 'u3', previousId: 'anon-1', messageId: 'e2e-alias' });
    analytics.track({ userId: 'b1', event: 'Crawl', context: { userAgent: 'Googlebot/2.1' }, messageId: 'e2e-bot' });
    await analytics.flush();
    // An SDK retry: the same messageId again, in another request.
    analytics.track({ userId: 'u1', event: 'Article Read', context, messageId: 'e2e-track' });
    await analytics.closeAndFlush();
    assert.deepEqual(errors, []);

    const count = (): number => Number(query('SELECT count(*) AS n FROM bronze.events')[0]!['n']);
    for (let i = 0; i < 60 && count() < 7; i++) await sleep(500);
    // Longer than two flush intervals more: the resend, had it been loaded, would be there by now.
    await sleep(2500);
    const rows = query('SELECT * FROM bronze.events ORDER BY message_id');
    const byId = new Map(rows.map((r) => [String(r['message_id']), r]));
    assert.deepEqual(
      [...byId.keys()],
      ['e2e-alias', 'e2e-bot', 'e2e-group', 'e2e-identify', 'e2e-page', 'e2e-screen', 'e2e-track'],
    );
    assert.equal(rows.length, 7, 'the resent messageId is loaded once');

    const common = (id: string, type: string): Row => {
      const r = byId.get(id)!;
      assert.equal(r['type'], type, id);
      assert.equal(r['source_id'], 'test', id);
      const [timestamp, original, sent, received] = ['timestamp', 'original_timestamp', 'sent_at', 'received_at'].map(
        (c) => ms(r[c]),
      );
      // The device's times are an hour ahead; the corrected timestamp is when the call happened.
      assert.ok(original! - calledAt >= SKEW_MS - 1000 && original! - calledAt < SKEW_MS + 10_000, `${id} original`);
      assert.ok(sent! >= original!, `${id}: sent_at ${String(r['sent_at'])} before the call`);
      assert.ok(received! >= calledAt && received! < calledAt + 30_000, `${id} received_at`);
      assert.equal(timestamp, received! - (sent! - original!), `${id}: timestamp = receivedAt − (sentAt − original)`);
      assert.ok(timestamp! >= calledAt - 1000 && timestamp! <= received!, `${id}: corrected ${String(r['timestamp'])}`);
      assert.equal(r['event_date'], new Date(timestamp!).toISOString().slice(0, 10), id);
      assert.equal(r['timestamp_corrected_from'], null, id);
      assert.equal(typeof r['log_partition'], 'number', id);
      assert.equal(typeof r['log_offset'], 'number', id);
      const ctx = JSON.parse(String(r['context'])) as { library: { name: string }; ip: string };
      assert.equal(ctx.library.name, '@segment/analytics-node', id);
      assert.equal(ctx.ip, '127.0.0.1', id);
      return r;
    };
    const none = { event: null, name: null, user_id: null, anonymous_id: null, group_id: null, previous_id: null };
    const pick = (r: Row, keys: string[]): Row => Object.fromEntries(keys.map((k) => [k, r[k]]));
    const ids = Object.keys(none);

    const track = common('e2e-track', 'track');
    assert.deepEqual(pick(track, ids), { ...none, event: 'Article Read', user_id: 'u1' });
    assert.deepEqual(JSON.parse(String(track['properties'])), { id: 42, title: 'héllo', nested: { a: [1, 2] } });
    assert.equal(JSON.parse(String(track['context'])).userAgent, context.userAgent);
    assert.equal(track['traits'], null);
    assert.equal(track['is_bot'], false);

    const identify = common('e2e-identify', 'identify');
    assert.deepEqual(pick(identify, ids), { ...none, user_id: 'u1' });
    assert.deepEqual(JSON.parse(String(identify['traits'])), { email: 'a@b.c', plan: 'pro' });

    const page = common('e2e-page', 'page');
    assert.deepEqual(pick(page, ids), { ...none, name: 'Home', anonymous_id: 'anon-1' });
    assert.equal(page['category'], 'Docs');

    const screen = common('e2e-screen', 'screen');
    assert.deepEqual(pick(screen, ids), { ...none, name: 'Main', user_id: 'u2' });

    const group = common('e2e-group', 'group');
    assert.deepEqual(pick(group, ids), { ...none, user_id: 'u1', group_id: 'g1' });
    assert.deepEqual(JSON.parse(String(group['traits'])), { name: 'ACME' });

    const alias = common('e2e-alias', 'alias');
    assert.deepEqual(pick(alias, ids), { ...none, user_id: 'u3', previous_id: 'anon-1' });

    assert.equal(common('e2e-bot', 'track')['is_bot'], true);
    assert.deepEqual(query('SELECT count(*) AS n FROM bronze.quarantine'), [{ n: 0 }]);
  } finally {
    up.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000).unref())]);
    if (up.exitCode === null && up.signalCode === null) up.kill('SIGKILL');
  }
});
