// The Node SDK in a real child process pointed at a closed port (connection refused): the process ends once the
// application is done, retries are bounded (maxRetries, as @segment/analytics-node), and the dropped events'
// callbacks and `on('error')` are told.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';

const trackerUrl = new URL('./node-tracker.js', import.meta.url).href;

/** A localhost port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Runs `body` as an ES module with `NodeTracker` imported and `host` set to a closed port; kills it after
 * `limitMs`. Resolves with its exit code (null when killed), how long it ran, and the JSON it printed last.
 */
async function runScript(
  body: string,
  limitMs: number,
): Promise<{ code: number | null; ms: number; out: Record<string, unknown> | undefined; stderr: string }> {
  const host = `http://127.0.0.1:${await closedPort()}`;
  const code = `import { NodeTracker } from ${JSON.stringify(trackerUrl)};\nconst host = ${JSON.stringify(host)};\n${body}`;
  const started = Date.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  const last = stdout.trim().split('\n').at(-1);
  return {
    code: exitCode,
    ms: Date.now() - started,
    out: last ? (JSON.parse(last) as Record<string, unknown>) : undefined,
    stderr,
  };
}

describe('NodeTracker process against an unreachable collector', () => {
  it('a script that tracks and ends exits promptly: retry timers do not keep the process alive', async () => {
    const run = await runScript(
      `const lens = new NodeTracker({ writeKey: 'k', host, flushAt: 1 });
lens.track({ userId: 'u', event: 'Ran' });
console.log(JSON.stringify({ tracked: true }));`,
      8000,
    );
    assert.equal(run.code, 0, `exited by itself (ran ${run.ms} ms; stderr: ${run.stderr})`);
    assert.ok(run.ms < 5000, `ran ${run.ms} ms`);
  });

  it('closeAndFlush waits for the bounded retries; the callback gets an Error, on("error") is told; flush after it resolves', async () => {
    const run = await runScript(
      `const lens = new NodeTracker({ writeKey: 'k', host, maxRetries: 2, retry: { baseMs: 100, maxMs: 200 } });
const errors = [];
lens.on('error', (e) => errors.push({ code: e.code, reason: e.reason.message, events: e.events.length }));
let callback = 'not called';
lens.track({ userId: 'u', event: 'Lost' }, (error) => { callback = error ? error.message : 'no error'; });
const started = Date.now();
const closed = await lens.closeAndFlush({ timeoutMs: 20000 });
const waited = Date.now() - started;
const flushed = await lens.flush();
console.log(JSON.stringify({ closed, flushed, waited, callback, errors, stats: lens.stats() }));`,
      8000,
    );
    assert.equal(run.code, 0, `exited by itself (ran ${run.ms} ms; stderr: ${run.stderr})`);
    const out = run.out as {
      closed: boolean;
      flushed: boolean;
      waited: number;
      callback: string;
      errors: { code: string; reason: string; events: number }[];
      stats: { retries: number; queued: number; dropped: { max_attempts: number } };
    };
    assert.equal(out.closed, true, 'the queue emptied (its events dropped) before the timeout');
    assert.ok(out.waited >= 100, `waited ${out.waited} ms for the retries`);
    assert.equal(out.flushed, true);
    assert.match(out.callback, /max_attempts.*after 3 attempts.*network/);
    assert.equal(out.errors.length, 1);
    assert.equal(out.errors[0]?.code, 'delivery_failure');
    assert.equal(out.errors[0]?.events, 1);
    assert.match(out.errors[0]?.reason ?? '', /max_attempts/);
    assert.deepEqual([out.stats.retries, out.stats.queued, out.stats.dropped.max_attempts], [3, 0, 1]);
  });

  it('an awaited flush() keeps the process alive through the default 3 retries, then resolves', async () => {
    const run = await runScript(
      `const lens = new NodeTracker({ writeKey: 'k', host, retry: { baseMs: 100 } });
let callback = 'not called';
lens.track({ userId: 'u', event: 'Lost' }, (error) => { callback = error ? error.message : 'no error'; });
const flushed = await lens.flush();
console.log(JSON.stringify({ flushed, callback, stats: lens.stats() }));`,
      8000,
    );
    assert.equal(run.code, 0, `exited by itself (ran ${run.ms} ms; stderr: ${run.stderr})`);
    const out = run.out as { flushed: boolean; callback: string; stats: { retries: number } };
    assert.equal(out.flushed, true);
    assert.match(out.callback, /max_attempts/);
    assert.equal(out.stats.retries, 4, 'the first attempt and 3 retries');
  });
});
