// Brings a partition to a clean state before a writer appends: verifies the last segment's frames, truncates
// a torn or corrupt tail, and never reuses an offset a reader may have seen (the durable marker says which).
import type { FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
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

/**
 * Segments are written with O_DSYNC: each positioned write returns only once its data is on stable storage,
 * so a group commit is one syscall (write and flush together) instead of a write and then an fdatasync.
 */
export const SEGMENT_WRITE_FLAGS = constants.O_RDWR | constants.O_DSYNC;

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
      return open(layout.segmentPath(dir, partition, activeBase), SEGMENT_WRITE_FLAGS);
    });
    let next = activeBase;
    const { pos, stop } = await scanFrames(segment, 0, SCAN_CHUNK_BYTES, (frame) => {
      if (frame.header.offset !== next) return false; // stale bytes from an older life of this file
      next++;
      return true;
    });
    const fileSize = (await segment.stat()).size;
    if (pos < fileSize) {
      logger.warn(
        { partition, segment: activeBase, stop, keptBytes: pos, droppedBytes: fileSize - pos, next },
        'log_torn_tail_truncated',
      );
      await segment.truncate(pos);
      await segment.datasync();
    }
    let active = { segment, activeBase, size: pos };
    if (markedEnd !== undefined && markedEnd > next) {
      // Acknowledged (fsynced) records are damaged: a disk fault, not a crash. Keep serving, but skip their
      // offsets with a new segment so no consumer ever sees an offset reused for different data.
      logger.error(
        { partition, markedEnd, intactEnd: next, segment: activeBase, lostRecords: markedEnd - next },
        'log_acknowledged_records_lost',
      );
      await segment.close();
      const fresh = await open(
        layout.segmentPath(dir, partition, markedEnd),
        SEGMENT_WRITE_FLAGS | constants.O_CREAT | constants.O_TRUNC,
      );
      active = { segment: fresh, activeBase: markedEnd, size: 0 };
      next = markedEnd;
    }
    await writeMarker(marker, next, true);
    await syncDir(pdir);
    await syncDir(layout.partitionsDir(dir));
    logger.debug({ partition, next, ...active, segment: undefined }, 'log_partition_recovered');
    return { ...active, next, marker };
  } catch (error) {
    await marker.close();
    throw error;
  }
}
