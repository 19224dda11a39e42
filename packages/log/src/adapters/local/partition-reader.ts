// Reads durable records of local partitions, possibly while another process appends: the durable marker is
// re-read on every call (the only cross-process truth), segment lists are re-listed when a read runs past them.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { LogRecordDamagedError, OffsetOutOfRangeError, type LogDamageReason } from '../../errors.js';
import {
  DEFAULT_MAX_READ_BYTES,
  DEFAULT_MAX_READ_RECORDS,
  MAX_DAMAGED_BYTES,
  type LogRecord,
  type PackedReadOptions,
  type PackedRecords,
  type ReadOptions,
} from '../../event-log.js';
import { PackedBuilder } from '../../packed-records.js';
import { measureDamage } from './damaged-span.js';
import { readMarker } from './durable-marker.js';
import { HEADER_BYTES } from './record-format.js';
import { layout, listSegments, scanFrames, type ScanStop } from './segment-files.js';
import { SparseIndex } from './sparse-index.js';

interface PartitionState {
  segments: number[];
  marker: FileHandle | undefined;
  handles: Map<number, FileHandle>;
  index: SparseIndex;
  /**
   * The chunk buffer packed reads scan into, reused from read to read instead of a fresh multi-megabyte buffer
   * per chunk for the consumer's thread to collect; taken while a read uses it.
   */
  scratch: Buffer | undefined;
}

const MAX_OPEN_SEGMENTS = 4;
/**
 * The largest chunk a read scans at a time (a frame larger than that gets a buffer of its own): room for a default
 * read's 4 MiB of payload with its frame headers, so that such a read is one read call, not a full chunk and then
 * a second one from the frame that straddled its end.
 */
const SCRATCH_BYTES = 6 * 1024 * 1024;

/** Reader side of the local adapter, one per EventLog instance. */
export class PartitionReader {
  readonly #dir: string;
  readonly #states = new Map<number, PartitionState>();
  /** Set by close(): a handle whose open finishes afterwards is closed at once instead of kept. */
  #closed = false;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The offset after the last durable record (0 when the partition has no marker yet). */
  async durableEnd(partition: number): Promise<number> {
    const state = this.#state(partition);
    if (state.marker === undefined) {
      const path = layout.markerPath(this.#dir, partition);
      const opened = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (opened === undefined) return 0;
      // Calls run concurrently (lag, resume, retention): one that opened it meanwhile wins, this handle closes.
      if (state.marker === undefined && !this.#closed) state.marker = opened;
      else await opened.close();
      if (state.marker === undefined) return 0;
    }
    return (await readMarker(state.marker, layout.markerPath(this.#dir, partition))) ?? 0;
  }

  /** Re-lists segment files (after retention or a roll) and closes handles of deleted ones. */
  async segments(partition: number): Promise<number[]> {
    const state = this.#state(partition);
    state.segments = await listSegments(this.#dir, partition);
    for (const [base, fh] of state.handles) {
      if (!state.segments.includes(base)) {
        state.handles.delete(base);
        state.index.forget(base);
        await fh.close();
      }
    }
    return state.segments;
  }

  async read(partition: number, offset: number, options: ReadOptions = {}): Promise<LogRecord[]> {
    const records: LogRecord[] = [];
    await this.#scan(partition, offset, options, (buf, start, length, o, timestamp) => {
      records.push({ partition, offset: o, timestamp, value: buf.subarray(start, start + length) });
    });
    return records;
  }

  /** The same records as `read`, copied back to back into one buffer (no object per record). */
  async readPacked(partition: number, offset: number, options: PackedReadOptions = {}): Promise<PackedRecords> {
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_READ_RECORDS;
    const out = new PackedBuilder(
      Math.min(maxRecords, 65_536),
      options.maxBytes ?? DEFAULT_MAX_READ_BYTES,
      options.into,
    );
    const state = this.#state(partition);
    const scratch = state.scratch ?? Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    state.scratch = undefined; // a concurrent read of this partition scans into its own buffer
    try {
      await this.#scan(
        partition,
        offset,
        options,
        (buf, start, length, o, timestamp) => out.add(buf, start, length, o, timestamp), // copies
        scratch,
      );
    } finally {
      state.scratch = scratch;
    }
    return out.done();
  }

  /** Calls `take` for each durable record from `offset` on, within the read limits. */
  async #scan(
    partition: number,
    offset: number,
    options: ReadOptions,
    take: (buf: Buffer, start: number, length: number, offset: number, timestamp: number) => void,
    scratch?: Buffer,
  ): Promise<void> {
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_READ_RECORDS;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
    const end = await this.durableEnd(partition);
    const state = this.#state(partition);
    let segments = state.segments;
    if (segments.length === 0 || offset < segments[0]! || offset >= segments.at(-1)!) {
      segments = await this.segments(partition);
    }
    const start = segments[0] ?? 0;
    if (offset < start && segments.length > 0) throw new OffsetOutOfRangeError(partition, offset, start);
    if (offset >= end || segments.length === 0) return;
    const chunkBytes = Math.min(Math.max(Math.ceil(maxBytes * 1.25) + HEADER_BYTES * 64, 64 * 1024), SCRATCH_BYTES);
    let count = 0;
    let next = offset;
    let bytes = 0;
    let i = floorIndex(segments, next);
    while (next < end && count < maxRecords && bytes < maxBytes) {
      const base = segments[i]!;
      const fh = await this.#handle(state, partition, base);
      const from = state.index.floor(base, next);
      // The offset of the frame the scan should meet next: below `next` while it walks up to `next`.
      let expected = from.offset;
      // A verified frame past `next` where `next` should be: the records in between are missing.
      let ahead: { offset: number; pos: number } | undefined;
      const { pos, stop } = await scanFrames(
        fh,
        from.pos,
        chunkBytes,
        (frame) => {
          const o = frame.header.offset;
          if (count >= maxRecords) return false;
          if (o < next) {
            state.index.note(base, o, frame.filePos);
            expected = o + 1;
            return true;
          }
          if (o > next) ahead = { offset: o, pos: frame.filePos };
          if (o !== next || o >= end || (count > 0 && bytes + frame.header.length > maxBytes)) return false;
          take(frame.buf, frame.at + HEADER_BYTES, frame.header.length, o, frame.header.timestamp);
          count++;
          bytes += frame.header.length;
          expected = ++next;
          return true;
        },
        scratch,
      );
      if (ahead === undefined) state.index.note(base, expected, pos);
      else state.index.note(base, ahead.offset, ahead.pos);
      if (next >= end || count >= maxRecords || bytes >= maxBytes) break;
      if (stop === 'visitor' && ahead === undefined) break; // the next record would exceed maxBytes
      if (i + 1 >= segments.length) {
        segments = await this.segments(partition); // a roll this reader has not listed yet
        i = segments.indexOf(base);
        if (i === -1) throw new OffsetOutOfRangeError(partition, next, segments[0] ?? next); // retention deleted it
      }
      const following = segments[i + 1];
      if (stop === 'eof' && following === next) {
        i++; // the next segment starts where this one ended
        continue;
      }
      if (stop === 'eof' && following !== undefined && following > next && count === 0)
        // A higher base is a gap: recovery found those records damaged (it moved the intact ones after them to a
        // segment of their own), or the segment lost its end. Acknowledged records are gone: said, not skipped.
        throw new LogRecordDamagedError(
          {
            partition,
            damagedFrom: next,
            resumeAt: following,
            reason: 'missing_records',
            bytes: Buffer.alloc(0),
            damagedBytes: 0,
          },
          { end, segment: base, pos, stop },
        );
      // Damage lies ahead: hand out the records read so far (a read starting at a damaged offset throws), so a
      // consumer gets every intact record before the damage.
      if (count > 0) break;
      const damage = await this.#damage(fh, base, pos, stop, expected, ahead, following, end);
      if (damage.resume !== undefined) state.index.anchor(base, damage.resume.offset, damage.resume.pos);
      if (damage.resumeAt <= next) {
        // The damage lies before the offset asked for (this read was walking up to it): read on past it.
        i = floorIndex(segments, next);
        continue;
      }
      throw new LogRecordDamagedError(
        {
          partition,
          damagedFrom: next,
          resumeAt: damage.resumeAt,
          reason: damage.reason,
          bytes: damage.bytes,
          damagedBytes: damage.damagedBytes,
        },
        { end, segment: base, pos, stop },
      );
    }
  }

  /**
   * What a scan of segment `base` that stopped at byte `pos` ran into, below the durable end `end`: records
   * missing (a verified frame further on where `expected` should be, or the last segment ending early), or a
   * frame that fails its checksum or is not one. Where reading can resume: the next verified frame of this
   * segment, else the next segment, else the durable end.
   */
  async #damage(
    fh: FileHandle,
    base: number,
    pos: number,
    stop: ScanStop,
    expected: number,
    ahead: { offset: number; pos: number } | undefined,
    following: number | undefined,
    end: number,
  ): Promise<{
    reason: LogDamageReason;
    resumeAt: number;
    resume: { offset: number; pos: number } | undefined;
    bytes: Buffer;
    damagedBytes: number;
  }> {
    const limit = Math.min(following ?? end, end);
    if (ahead !== undefined || stop === 'eof') {
      const resumeAt = ahead === undefined ? limit : Math.min(ahead.offset, end);
      return { reason: 'missing_records', resumeAt, resume: ahead, bytes: Buffer.alloc(0), damagedBytes: 0 };
    }
    const found = await measureDamage(fh, base, pos, expected, following, MAX_DAMAGED_BYTES);
    return {
      reason: found.reason,
      resumeAt: found.resume === undefined ? limit : Math.min(found.resume.offset, end),
      resume: found.resume,
      bytes: found.bytes,
      damagedBytes: found.bytesEnd - pos,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const handles: FileHandle[] = [];
    for (const state of this.#states.values()) {
      handles.push(...state.handles.values());
      if (state.marker !== undefined) handles.push(state.marker);
    }
    this.#states.clear();
    await Promise.allSettled(handles.map((fh) => fh.close()));
  }

  #state(partition: number): PartitionState {
    let state = this.#states.get(partition);
    if (state === undefined) {
      state = { segments: [], marker: undefined, handles: new Map(), index: new SparseIndex(), scratch: undefined };
      this.#states.set(partition, state);
    }
    return state;
  }

  async #handle(state: PartitionState, partition: number, base: number): Promise<FileHandle> {
    const cached = state.handles.get(base);
    if (cached !== undefined) return cached;
    let fh: FileHandle;
    try {
      fh = await open(layout.segmentPath(this.#dir, partition, base), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const segments = await this.segments(partition); // deleted by retention in another process
      throw new OffsetOutOfRangeError(partition, base, segments[0] ?? base);
    }
    if (this.#closed) {
      await fh.close();
      throw new Error(`partition ${partition}: the log reader is closed`);
    }
    // A concurrent read of the same segment may have opened it meanwhile: keep one handle (else one leaks).
    const raced = state.handles.get(base);
    if (raced !== undefined) {
      await fh.close();
      return raced;
    }
    if (state.handles.size >= MAX_OPEN_SEGMENTS) {
      const [oldest, old] = state.handles.entries().next().value as [number, FileHandle];
      state.handles.delete(oldest);
      await old.close();
    }
    state.handles.set(base, fh);
    return fh;
  }
}

/** Index of the last segment whose base is <= offset (0 when none is). */
function floorIndex(segments: number[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
