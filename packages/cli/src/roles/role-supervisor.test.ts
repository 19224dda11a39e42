// `lens up` keeps its roles running: a role that dies is restarted with backoff, and so is a restart that dies
// before it is ready (it used to be given up on).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { RoleSupervisor } from './role-supervisor.js';

/** A role that reports ready after 300 ms and then runs until killed. */
function fakeRole(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lens-role-')), 'role.mjs');
  writeFileSync(
    file,
    "setTimeout(() => process.send({ type: 'lens:ready', url: 'http://fake' }), 300); setInterval(() => {}, 1000);\n",
  );
  return file;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a role killed again while restarting is restarted once more, until it serves', async () => {
  // The supervisor's logger is `lens up`'s (its base names role "up"): the role that died is `child`, not a
  // second `role` key in the same JSON line.
  const lines: string[] = [];
  const logger = pino({ base: { role: 'up' } }, { write: (line: string) => void lines.push(line) });
  const supervisor = new RoleSupervisor(logger, fakeRole());
  try {
    assert.equal(await supervisor.start('role', []), 'http://fake');
    const first = supervisor.pid('role')!;
    process.kill(first, 'SIGKILL');
    // The restart comes after 500 ms; kill it at once, before it can report ready.
    const second = await until('the restart', () => {
      const pid = supervisor.pid('role');
      return pid !== undefined && pid !== first ? pid : undefined;
    });
    process.kill(second, 'SIGKILL');
    const third = await until('a second restart', () => {
      const pid = supervisor.pid('role');
      return pid !== undefined && pid !== first && pid !== second ? pid : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 600)); // past its ready report
    assert.equal(supervisor.pid('role'), third, 'the second restart keeps running');
    const died = lines.filter((l) => l.includes('role_died_restarting'));
    assert.ok(died.length >= 2, lines.join(''));
    for (const line of died) {
      assert.equal(line.match(/"role":/g)?.length, 1, line);
      assert.equal((JSON.parse(line) as { child: string }).child, 'role');
    }
  } finally {
    await supervisor.stop();
  }
});

test('a role that dies soon after each ready report is restarted with a growing delay, not every 500 ms', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'lens-role-')), 'role.mjs');
  writeFileSync(
    file,
    "setTimeout(() => process.send({ type: 'lens:ready' }), 100); setTimeout(() => process.exit(1), 200);\n",
  );
  const lines: string[] = [];
  const logger = pino({ base: { role: 'up' } }, { write: (line: string) => void lines.push(line) });
  const supervisor = new RoleSupervisor(logger, file);
  try {
    await supervisor.start('crashy', []);
    const delays = await until('three deaths', () => {
      const died = lines.filter((l) => l.includes('role_died_restarting'));
      return died.length >= 3 ? died.map((l) => (JSON.parse(l) as { restartInMs: number }).restartInMs) : undefined;
    });
    assert.deepEqual(delays.slice(0, 3), [500, 1000, 2000]);
  } finally {
    await supervisor.stop();
  }
});
