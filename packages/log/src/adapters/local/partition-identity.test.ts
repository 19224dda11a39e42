// A local partition's identity: kept across processes and reopening, made for a partition written before
// identities existed (once, however many ask at once), and new when the partition's directory is replaced.
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createEventLog } from '../../create-event-log.js';
import { layout } from './segment-files.js';

it('an identity is made once for a partition that had none, and a replaced partition gets a new one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-log-identity-'));
  try {
    const log = await createEventLog({ backend: 'local', dir, minFreeDiskBytes: 0 });
    const writer = await log.openWriter();
    await writer.append([Buffer.from('a')]);
    await writer.close();
    const first = await log.identity(0);
    // A partition from before identities existed: the first to ask makes it, everyone asking at once agrees.
    await unlink(layout.identityPath(dir, 0));
    const asked = await Promise.all(Array.from({ length: 8 }, () => log.identity(0)));
    assert.equal(new Set(asked).size, 1, asked.join(' '));
    assert.notEqual(asked[0], first);
    assert.equal(await log.identity(0), asked[0]);
    await log.close();

    // The log directory deleted and written again: same partition number, a new identity.
    await rm(join(dir, 'partitions'), { recursive: true });
    const fresh = await createEventLog({ backend: 'local', dir, minFreeDiskBytes: 0 });
    const again = await fresh.openWriter();
    assert.equal(again.partition, 0);
    const replaced = await fresh.identity(0);
    assert.ok(replaced !== undefined && replaced !== asked[0]);
    await again.append([Buffer.from('b')]);
    assert.equal(await fresh.identity(0), replaced);
    await fresh.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
