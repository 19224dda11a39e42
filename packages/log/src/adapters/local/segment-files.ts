// The local adapter's directory layout and the one routine that walks frames in a segment file, shared by
// recovery (which truncates where it stops), reads and retention.
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADER_BYTES, readHeader, verifyFrame, type FrameHeader } from './record-format.js';

const SEGMENT_SUFFIX = '.seg';

/**
 * Paths of the log directory: `partitions/<n>/<base>.seg`, `partitions/<n>/durable`, `partitions/<n>/identity`,
 * `consumers/<c>/<n>.json`.
 */
export const layout = {
  partitionsDir: (dir: string) => join(dir, 'partitions'),
  partitionDir: (dir: string, partition: number) => join(dir, 'partitions', String(partition)),
  segmentPath: (dir: string, partition: number, base: number) =>
    join(dir, 'partitions', String(partition), `${String(base).padStart(20, '0')}${SEGMENT_SUFFIX}`),
  markerPath: (dir: string, partition: number) => join(dir, 'partitions', String(partition), 'durable'),
  lockPath: (dir: string, partition: number) => join(dir, 'partitions', String(partition), 'writer.lock'),
  identityPath: (dir: string, partition: number) => join(dir, 'partitions', String(partition), 'identity'),
  consumersDir: (dir: string) => join(dir, 'consumers'),
  consumerDir: (dir: string, consumer: string) => join(dir, 'consumers', consumer),
};

/** Base offsets of a partition's segments, ascending; empty when the partition does not exist. */
export async function listSegments(dir: string, partition: number): Promise<number[]> {
  const names = await readdirOrEmpty(layout.partitionDir(dir, partition));
  return names
    .filter((n) => n.endsWith(SEGMENT_SUFFIX) && /^\d{20}\.seg$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
}

/** Directory entries, or [] when the directory does not exist. */
export async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A small file's text, or undefined when it does not exist. */
export async function readTextOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** fsyncs a directory so a file created, renamed or deleted in it survives a power loss. */
export async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** One verified frame: its header, the buffer holding it, where it starts there and in the file. */
export interface Frame {
  header: FrameHeader;
  buf: Buffer;
  at: number;
  filePos: number;
}

/** Why a scan stopped: end of file, a partial or failing frame, or the visitor said so. */
export type ScanStop = 'eof' | 'torn' | 'corrupt' | 'visitor';

/**
 * Walks checksum-verified frames from byte `pos`, reading `chunkBytes` at a time (no per-record syscalls),
 * calling `visit` for each until it returns false. Returns where it stopped and why. With `scratch`, chunks are
 * read into it (when large enough) instead of a new buffer each: only for a visitor that copies what it keeps,
 * since each frame's `buf` is then overwritten by the next chunk.
 */
export async function scanFrames(
  fh: FileHandle,
  pos: number,
  chunkBytes: number,
  visit: (frame: Frame) => boolean,
  scratch?: Buffer,
): Promise<{ pos: number; stop: ScanStop }> {
  for (;;) {
    const requested = chunkBytes;
    const buf = scratch !== undefined && scratch.length >= requested ? scratch : Buffer.allocUnsafe(requested);
    const { bytesRead } = await fh.read(buf, 0, requested, pos);
    if (bytesRead === 0) return { pos, stop: 'eof' };
    let at = 0;
    while (at + HEADER_BYTES <= bytesRead) {
      const header = readHeader(buf, at);
      if (header === undefined) return { pos: pos + at, stop: 'corrupt' };
      const frameBytes = HEADER_BYTES + header.length;
      if (at + frameBytes > bytesRead) {
        if (bytesRead < requested) return { pos: pos + at, stop: 'torn' };
        if (frameBytes > chunkBytes) chunkBytes = frameBytes;
        break; // re-read from this frame with a buffer large enough to hold it
      }
      if (!verifyFrame(buf, at, header)) return { pos: pos + at, stop: 'corrupt' };
      if (!visit({ header, buf, at, filePos: pos + at })) return { pos: pos + at, stop: 'visitor' };
      at += frameBytes;
    }
    if (bytesRead < requested) return { pos: pos + at, stop: at === bytesRead ? 'eof' : 'torn' };
    pos += at;
  }
}

const ZERO_SCAN_BYTES = 64 * 1024;
const ZERO_CHUNK = Buffer.alloc(ZERO_SCAN_BYTES);

/**
 * Where a segment's written bytes end: its size less the zeros at its end, when there are at least a frame
 * header's worth of them. The writer keeps its active segment zero-filled ahead of its data (local-log-writer.ts).
 * Fewer zeros may be the end of a torn frame (a length field's high bytes), and are kept. Data that itself ends in
 * a header's worth of zeros reads as shorter by them: only damage reports and recovery's choice of words use this.
 * Read backwards a chunk at a time.
 */
export async function writtenEnd(fh: FileHandle, fileSize: number): Promise<number> {
  const end = await lastNonZeroEnd(fh, fileSize);
  return fileSize - end >= HEADER_BYTES ? end : fileSize;
}

async function lastNonZeroEnd(fh: FileHandle, fileSize: number): Promise<number> {
  const buf = Buffer.allocUnsafe(ZERO_SCAN_BYTES);
  for (let end = fileSize; end > 0;) {
    const start = Math.max(0, end - ZERO_SCAN_BYTES);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    const chunk = buf.subarray(0, bytesRead);
    if (!chunk.equals(ZERO_CHUNK.subarray(0, bytesRead))) {
      let last = bytesRead - 1;
      while (chunk[last] === 0) last--;
      return start + last + 1;
    }
    if (bytesRead < end - start) return end; // the file shrank meanwhile: what was read is all there is to say
    end = start;
  }
  return 0;
}
