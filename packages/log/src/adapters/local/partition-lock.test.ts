// Partition locks: a lock left by a dead process or by an earlier life of this pid is taken over; one held by a
// live process is not; releasing lets the next writer in.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { PartitionLockedError } from '../../errors.js';
import { noopLogger } from '../../logger.js';
import { acquirePartitionLock } from './partition-lock.js';

let dir = '';
after(() => rm(dir, { recursive: true, force: true }));

it('takes over stale locks, refuses live ones, and frees on release', async () => {
  dir = await mkdtemp(join(tmpdir(), 'lens-log-lock-'));
  const path = join(dir, 'writer.lock');
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid is (almost surely) free
  await writeFile(path, String(deadPid));
  const fromDead = await acquirePartitionLock(path, 0, noopLogger);
  assert.equal(await readFile(path, 'utf8'), String(process.pid));
  await assert.rejects(acquirePartitionLock(path, 0, noopLogger), PartitionLockedError);
  await fromDead.release();

  await writeFile(path, String(process.pid)); // our pid, but not held by us: a previous life (container pid 1)
  const fromPastLife = await acquirePartitionLock(path, 0, noopLogger);
  await fromPastLife.release();

  await writeFile(path, String(process.ppid)); // a live process that is not us
  await assert.rejects(
    acquirePartitionLock(path, 0, noopLogger),
    (e: unknown) => e instanceof PartitionLockedError && e.context['holderPid'] === process.ppid,
  );
});

it(
  'a lock naming a live process started after the lock was written (a reused pid) is stale',
  {
    skip: process.platform !== 'linux' && 'needs /proc',
  },
  async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'lens-log-lock-')), 'writer.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(path, String(child.pid)); // as if a writer that died before a reboot had this pid
      const written = new Date(Date.now() - 3_600_000);
      await utimes(path, written, written);
      const lock = await acquirePartitionLock(path, 0, noopLogger);
      assert.equal(await readFile(path, 'utf8'), String(process.pid));
      await lock.release();
    } finally {
      child.kill('SIGKILL');
      await rm(join(path, '..'), { recursive: true, force: true });
    }
  },
);
