// Which segments a partition can drop and how far its slowest consumer lags: both derive from the minimum
// committed position over every known consumer (a known consumer that never committed a partition holds it all).
import { stat, unlink } from 'node:fs/promises';
import type { ConsumerOffsets } from './consumer-offsets.js';
import { layout, listSegments, syncDir } from './segment-files.js';

/** Minimum committed position on `partition` over all known consumers; undefined when there are none. */
export async function slowestPosition(offsets: ConsumerOffsets, partition: number): Promise<number | undefined> {
  return (await slowestConsumer(offsets, partition))?.position;
}

/** The consumer furthest behind on `partition` (a consumer that never committed it is at 0). */
export async function slowestConsumer(
  offsets: ConsumerOffsets,
  partition: number,
): Promise<{ consumer: string; position: number } | undefined> {
  const consumers = await offsets.consumers();
  const positions = await Promise.all(consumers.map((c) => offsets.committed(c, partition)));
  let slowest: { consumer: string; position: number } | undefined;
  consumers.forEach((consumer, i) => {
    const position = positions[i] ?? 0;
    if (slowest === undefined || position < slowest.position) slowest = { consumer, position };
  });
  return slowest;
}

/** Deletes, oldest first, every non-active segment whose last offset is below `position`. */
export async function deletePassedSegments(
  dir: string,
  partition: number,
  position: number,
): Promise<{ deletedSegments: number; deletedBytes: number; deleted: number[] }> {
  const segments = await listSegments(dir, partition);
  const deleted: number[] = [];
  let deletedBytes = 0;
  // A segment's last offset is the next segment's base - 1; the last (active) segment is never deleted.
  for (let i = 0; i + 1 < segments.length && segments[i + 1]! <= position; i++) {
    const path = layout.segmentPath(dir, partition, segments[i]!);
    // Another process (a second loader instance) may delete the same passed segment at the same time.
    const size = await stat(path).then((st) => st.size, ignoreMissing);
    const gone = await unlink(path).then(() => true, ignoreMissing);
    if (size === undefined || gone === undefined) continue;
    deletedBytes += size;
    deleted.push(segments[i]!);
  }
  if (deleted.length > 0) await syncDir(layout.partitionDir(dir, partition));
  return { deletedSegments: deleted.length, deletedBytes, deleted };
}

/**
 * Bytes from `position` to the end of the partition, estimated per segment: whole segments after it count in
 * full, the segment holding it in proportion to the offsets left (exact enough for a limit in gigabytes).
 * `active`: the active segment's data bytes, from its writer — its file may run on in zeros (zero-ahead).
 */
export async function bytesAfter(
  dir: string,
  partition: number,
  position: number,
  end: number,
  active?: { base: number; dataBytes: number },
): Promise<number> {
  const segments = await listSegments(dir, partition);
  let bytes = 0;
  for (let i = 0; i < segments.length; i++) {
    const base = segments[i]!;
    const segEnd = segments[i + 1] ?? end;
    if (segEnd <= position || segEnd <= base) continue;
    const size =
      active?.base === base
        ? active.dataBytes
        : (await stat(layout.segmentPath(dir, partition, base)).catch(() => ({ size: 0 }))).size;
    bytes += base >= position ? size : Math.round((size * (segEnd - position)) / (segEnd - base));
  }
  return bytes;
}

/** Undefined for a file that is not there (any other error is thrown). */
function ignoreMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}
