// Brings a partition to a clean state before a writer appends: verifies the last segment's frames, truncates
// a torn or corrupt tail, and never reuses an offset a reader may have seen (the durable marker says which).
import type { FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import type { Logger } from '../../logger.js';
import { openMarkerForWrite, readMarker, writeMarker } from './durable-marker.js';
import { HEADER_BYTES, readHeader, verifyFrame } from './record-format.js';
import { layout, listSegments, scanFrames, syncDir, writtenEnd } from './segment-files.js';

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
    if (markedEnd === undefined && segments.length > 0) {
      // Deleted or never written after data was: the last segment's intact frames are taken as the durable end.
      logger.warn({ partition, segments: segments.length }, 'log_durable_marker_missing');
    }
    const activeBase = segments.at(-1) ?? markedEnd ?? 0;
    const segment = await open(layout.segmentPath(dir, partition, activeBase), 'a+').then(async (fh) => {
      await fh.close(); // created if missing; reopen without O_APPEND so positioned writes land where we say
      return open(layout.segmentPath(dir, partition, activeBase), SEGMENT_WRITE_FLAGS);
    });
    let active = { segment, activeBase, size: 0 };
    let next = activeBase;
    for (;;) {
      next = active.activeBase;
      const { pos, stop } = await scanFrames(active.segment, 0, SCAN_CHUNK_BYTES, (frame) => {
        if (frame.header.offset !== next) return false; // stale bytes from an older life of this file
        next++;
        return true;
      });
      active.size = pos;
      const statSize = (await active.segment.stat()).size;
      if (pos >= statSize) break;
      // Zeros the writer put ahead of its data (it was not closed: a crash) are cut off without a warning.
      const fileSize = await writtenEnd(active.segment, statSize);
      if (pos >= fileSize) {
        logger.debug(
          { partition, segment: active.activeBase, keptBytes: pos, zeroBytes: statSize - pos },
          'log_zero_tail_trimmed',
        );
        await active.segment.truncate(pos);
        await active.segment.datasync();
        break;
      }
      // Damage below the durable end (a disk fault, not a crash): acknowledged records after it may be intact.
      // Move them to a segment of their own before cutting the damage off, so only the damaged ones are lost.
      const intact = markedEnd !== undefined && next < markedEnd;
      const resume = intact ? await findIntactFrame(active.segment, pos, fileSize, next, markedEnd) : undefined;
      if (resume === undefined) {
        logger.warn(
          { partition, segment: active.activeBase, stop, keptBytes: pos, droppedBytes: fileSize - pos, next },
          'log_torn_tail_truncated',
        );
        await active.segment.truncate(pos);
        await active.segment.datasync();
        break;
      }
      logger.error(
        {
          partition,
          segment: active.activeBase,
          stop,
          damagedFrom: next,
          intactFrom: resume.offset,
          lostRecords: resume.offset - next,
          movedBytes: fileSize - resume.pos,
        },
        'log_damaged_records_skipped',
      );
      const salvaged = await open(
        layout.segmentPath(dir, partition, resume.offset),
        SEGMENT_WRITE_FLAGS | constants.O_CREAT | constants.O_TRUNC,
      );
      await copyRange(active.segment, resume.pos, fileSize, salvaged); // O_DSYNC: durable when it returns
      await syncDir(pdir); // the copy is in place before the original is cut
      await active.segment.truncate(pos);
      await active.segment.datasync();
      await active.segment.close();
      active = { segment: salvaged, activeBase: resume.offset, size: 0 };
    }
    if (markedEnd !== undefined && markedEnd > next) {
      // Acknowledged (fsynced) records are damaged: a disk fault, not a crash. Keep serving, but skip their
      // offsets with a new segment so no consumer ever sees an offset reused for different data.
      logger.error(
        { partition, markedEnd, intactEnd: next, segment: active.activeBase, lostRecords: markedEnd - next },
        'log_acknowledged_records_lost',
      );
      await active.segment.close();
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

/**
 * The first checksum-verified frame after the damage at `from` whose offset lies in (`damaged`, `end`): where
 * intact acknowledged records resume. Undefined when none does.
 */
async function findIntactFrame(
  fh: FileHandle,
  from: number,
  fileSize: number,
  damaged: number,
  end: number,
): Promise<{ pos: number; offset: number } | undefined> {
  const buf = Buffer.allocUnsafe(fileSize - from);
  const { bytesRead } = await fh.read(buf, 0, buf.length, from);
  for (let at = 1; at + HEADER_BYTES <= bytesRead; at++) {
    const header = readHeader(buf, at);
    if (header === undefined || header.offset <= damaged || header.offset >= end) continue;
    if (at + HEADER_BYTES + header.length > bytesRead || !verifyFrame(buf, at, header)) continue;
    return { pos: from + at, offset: header.offset };
  }
  return undefined;
}

/** Copies bytes [from, to) of `source` to the start of `target`. */
async function copyRange(source: FileHandle, from: number, to: number, target: FileHandle): Promise<void> {
  const chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK_BYTES, to - from));
  for (let pos = from; pos < to;) {
    const { bytesRead } = await source.read(chunk, 0, Math.min(chunk.length, to - pos), pos);
    if (bytesRead === 0) break;
    let written = 0;
    while (written < bytesRead) {
      const { bytesWritten } = await target.write(chunk, written, bytesRead - written, pos - from + written);
      written += bytesWritten;
    }
    pos += bytesRead;
  }
}
