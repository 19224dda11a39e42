// A partition's identity: a random id stored in `partitions/<n>/identity` when the partition is first stored (or,
// for a partition written before identities existed, when one is first asked for). Deleting the partition deletes
// it, so a partition created again under the same number gets a new one (see EventLog.identity).
import { randomUUID } from 'node:crypto';
import { link, open, unlink } from 'node:fs/promises';
import { LogCorruptionError } from '../../errors.js';
import { layout, readTextOrUndefined, syncDir } from './segment-files.js';

const IDENTITY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The partition's identity; undefined when the partition does not exist. Created (durably) when missing. */
export async function partitionIdentity(dir: string, partition: number): Promise<string | undefined> {
  const path = layout.identityPath(dir, partition);
  const existing = await readIdentity(path);
  if (existing !== undefined) return existing;
  // Written whole under another name, then linked into place: link fails when a peer process won the race, and
  // every process then reads the winner's. A partition directory that does not exist is no partition.
  const candidate = `${path}.${process.pid}.${randomUUID()}.tmp`;
  let fh;
  try {
    fh = await open(candidate, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    await fh.writeFile(`${randomUUID()}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(candidate, path);
    await syncDir(layout.partitionDir(dir, partition));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(candidate).catch(() => {});
  }
  const stored = await readIdentity(path);
  if (stored === undefined)
    throw new LogCorruptionError(`partition identity ${path} vanished as it was created`, { path });
  return stored;
}

async function readIdentity(path: string): Promise<string | undefined> {
  const text = await readTextOrUndefined(path);
  if (text === undefined) return undefined;
  const id = text.trim();
  if (!IDENTITY.test(id))
    throw new LogCorruptionError(`partition identity ${path} is not an id: ${JSON.stringify(text.slice(0, 80))}`, {
      path,
    });
  return id;
}
