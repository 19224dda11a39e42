// `_delta_log/_last_checkpoint` (PROTOCOL.md "Last Checkpoint File"): a hint to the latest checkpoint so a
// reader lists from there instead of from version 0. A corrupt or stale hint is ignored, never fatal.
import type { ObjectStore } from '../storage/object-store.js';
import { LOG_DIR } from './log-files.js';

/** The fields of `_last_checkpoint` this library reads and writes. */
export interface LastCheckpoint {
  version: number;
  size: number;
  parts?: number;
  sizeInBytes?: number;
  numOfAddFiles?: number;
}

/** Key of the `_last_checkpoint` file. */
export const LAST_CHECKPOINT_KEY = `${LOG_DIR}/_last_checkpoint`;

/** Reads the hint; returns undefined when absent or unparseable (the spec makes it advisory). */
export async function readLastCheckpoint(store: ObjectStore): Promise<LastCheckpoint | undefined> {
  let data: Uint8Array;
  try {
    data = await store.get(LAST_CHECKPOINT_KEY);
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as Partial<LastCheckpoint>;
    if (typeof parsed.version !== 'number' || !Number.isInteger(parsed.version) || parsed.version < 0) return undefined;
    return parsed as LastCheckpoint;
  } catch {
    return undefined;
  }
}

/** Writes the hint (plain overwrite: readers tolerate a stale one). */
export async function writeLastCheckpoint(store: ObjectStore, value: LastCheckpoint): Promise<void> {
  await store.put(LAST_CHECKPOINT_KEY, new TextEncoder().encode(JSON.stringify(value)));
}
