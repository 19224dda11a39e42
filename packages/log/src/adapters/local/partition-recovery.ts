// Brings a partition to a clean state before a writer appends: verifies the last segment's frames, truncates
// a torn or corrupt tail, and refuses to open when acknowledged records are missing (offsets must never be reused).
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { LogCorruptionError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { openMarkerForWrite, readMarker, writeMarker } from './durable-marker.js';
import { layout, listSegments, scanFrames, syncDir } from './segment-files.js';

/** A partition ready for appends: its active segment open at `size`, the next offset to assign. */
export interface RecoveredPartition {
  segment: FileHandle;
  activeBase: number;
  size: number;
  next: number;
  marker: FileHandle;
}

const SCAN_CHUNK_BYTES = 1024 * 1024;

/** Creates the partition if needed, recovers its tail and rewrites the durable marker (fsynced). */
export async function recoverPartition(dir: string, partition: number, logger: Logger): Promise<RecoveredPartition> {
  const pdir = layout.partitionDir(dir, partition);
  await mkdir(pdir, { recursive: true });
  const marker = await openMarkerForWrite(layout.markerPath(dir, partition));
  try {
    const markedEnd = await readMarker(marker, layout.markerPath(dir, partition));
    const segments = await listSegments(dir, partition);
    const activeBase = segments.at(-1) ?? markedEnd ?? 0;
    const segment = await open(layout.segmentPath(dir, partition, activeBase), 'a+').then(async (fh) => {
      await fh.close(); // created if missing; reopen without O_APPEND so positioned writes land where we say
      return open(layout.segmentPath(dir, partition, activeBase), 'r+');
    });
    let next = activeBase;
    const { pos, stop } = await scanFrames(segment, 0, SCAN_CHUNK_BYTES, (frame) => {
      if (frame.header.offset !== next) return false; // stale bytes from an older life of this file
      next++;
      return true;
    });
    const fileSize = (await segment.stat()).size;
    if (pos < fileSize) {
      logger.warn({ partition, segment: activeBase, stop, keptBytes: pos, droppedBytes: fileSize - pos, next },
        'log_torn_tail_truncated');
      await segment.truncate(pos);
      await segment.datasync();
    }
    if (markedEnd !== undefined && markedEnd > next) {
      await segment.close();
      throw new LogCorruptionError(
        `partition ${partition}: durable marker says ${markedEnd} but only ${next} records are intact; refusing to reuse acknowledged offsets`,
        { partition, markedEnd, next, segment: activeBase },
      );
    }
    await writeMarker(marker, next, true);
    await syncDir(pdir);
    await syncDir(layout.partitionsDir(dir));
    logger.debug({ partition, next, activeBase, size: pos }, 'log_partition_recovered');
    return { segment, activeBase, size: pos, next, marker };
  } catch (error) {
    await marker.close();
    throw error;
  }
}
