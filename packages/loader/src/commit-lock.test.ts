// The commit lock: a lock file a holder has created but not yet written is held (a loaded machine can show a
// waiter that empty file), while one left empty by a crash long ago is taken over.
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { withCommitLock } from './commit-lock.js';

it('an empty lock file is a holder about to write it, not a crash, until it is old', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-commit-lock-'));
  try {
    const lock = join(dir, 'p0.commit.lock');
    await writeFile(lock, ''); // created O_EXCL by a holder that has not written its pid yet
    let ran = false;
    const waiting = withCommitLock(dir, 0, async () => {
      ran = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ran, false, 'the waiter took a lock that was being written');
    await unlink(lock); // the holder is done
    await waiting;
    assert.equal(ran, true);

    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await withCommitLock(dir, 0, async () => undefined); // torn a minute ago: taken over at once
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
