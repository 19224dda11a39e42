// Runs the ObjectStore contract against the file-system and in-memory adapters.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsObjectStore } from './fs/fs-object-store.js';
import { createMemoryObjectStore } from './memory/memory-object-store.js';
import { objectStoreContract } from './object-store.contract.js';

objectStoreContract('fs', async () => createFsObjectStore(await mkdtemp(join(tmpdir(), 'lens-fs-'))));
objectStoreContract('memory', async () => createMemoryObjectStore());
