// A role shutting down after Ctrl-C under `lens up` (SIGINT to every process, then SIGTERM from lens up) finishes
// its close instead of dying half-way; the same signal twice still exits at once, unless the repeat came at once
// (one request delivered twice) or is a supervisor's SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

const ROLE = new URL('./until-signal.js', import.meta.url).href;

/** A process that waits for a signal, then takes 1.5 s to close and prints `closed`. */
function fakeRole(supervised = false): {
  exit: Promise<{ code: number | null; out: string }>;
  send(signal: NodeJS.Signals, afterMs?: number): void;
} {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      // The interval stands for the server a role keeps open (signal listeners alone keep no process alive).
      `const { untilSignal } = await import(${JSON.stringify(ROLE)}); const serving = setInterval(() => {}, 1000);
       const signalled = untilSignal(); console.log('waiting'); await signalled; await new Promise((r) => setTimeout(r, 1500));
       clearInterval(serving); console.log('closed');`,
    ],
    { stdio: supervised ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const started = new Promise<void>((resolve) =>
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('waiting')) resolve();
    }),
  );
  return {
    exit: new Promise((resolve) => child.on('exit', (code) => resolve({ code, out }))),
    /** Sends `signal` `afterMs` after the process is waiting. */
    send: (signal, afterMs = 0) => void started.then(() => setTimeout(() => child.kill(signal), afterMs)),
  };
}

/** Sends `first` to a fake role once it waits, `second` `afterMs` later, and waits for the role to exit. */
function stopWith(
  first: NodeJS.Signals,
  second: NodeJS.Signals,
  afterMs: number,
  supervised = false,
): Promise<{ code: number | null; out: string }> {
  const role = fakeRole(supervised);
  role.send(first);
  role.send(second, afterMs);
  return role.exit;
}

function assertClosed({ code, out }: { code: number | null; out: string }): void {
  assert.equal(code, 0);
  assert.match(out, /closed/);
}

function assertExitedAtOnce({ code, out }: { code: number | null; out: string }): void {
  assert.equal(code, 130);
  assert.doesNotMatch(out, /closed/);
}

test('SIGINT then SIGTERM: the close runs to its end', async () => {
  assertClosed(await stopWith('SIGINT', 'SIGTERM', 300)); // the SIGTERM comes during the close
});

test('the same signal twice exits at once', async () => {
  assertExitedAtOnce(await stopWith('SIGINT', 'SIGINT', 700));
});

test('the same signal twice in a row is one request (a process-group signal forwarded by a wrapper)', async () => {
  assertClosed(await stopWith('SIGTERM', 'SIGTERM', 20));
});

test("a supervised role's repeat of the signal is its supervisor's stop request: the close runs to its end", async () => {
  assertClosed(await stopWith('SIGTERM', 'SIGTERM', 700, true));
});

test('a supervised role still exits at once on a second Ctrl-C (SIGINT, which only a terminal sends)', async () => {
  assertExitedAtOnce(await stopWith('SIGINT', 'SIGINT', 700, true));
});

test('a role whose supervisor is gone (its IPC channel closed) stops and closes', async () => {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { untilSignal } = await import(${JSON.stringify(ROLE)}); const serving = setInterval(() => {}, 1000);
       const signalled = untilSignal(); process.send({ type: 'waiting' }); console.log('by', await signalled);
       clearInterval(serving); console.log('closed');`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  child.disconnect(); // what the parent's death does to the channel
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0);
  assert.match(out, /by SIGHUP\nclosed/);
});
