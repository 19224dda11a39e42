// Runs the EventLog contract against the memory and local adapters (the local one on a fresh temp directory).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventLog } from './create-event-log.js';
import { MemoryLogStore } from './adapters/memory/memory-event-log.js';
import { damageLocalRecord } from './testing/damage-local-record.js';
import { runEventLogContract } from './testing/event-log-contract.js';

runEventLogContract('memory', async () => {
  const store = new MemoryLogStore();
  const open = () => createEventLog({ backend: 'memory', segmentBytes: 2048, store });
  return { log: await open(), reopen: open, damage: async (p, o) => store.damage(p, o), cleanup: async () => {} };
});

runEventLogContract('local', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-log-contract-'));
  const open = () => createEventLog({ backend: 'local', dir, segmentBytes: 2048, minFreeDiskBytes: 0 });
  return {
    log: await open(),
    reopen: open,
    damage: (partition, offset) => damageLocalRecord(dir, partition, offset),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
