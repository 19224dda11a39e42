// Packing a read's records into one buffer (PackedRecords): one object per read instead of one per record, and
// one transferable buffer for a consumer that maps records on another thread.
import type { LogRecord, PackedRecords } from './event-log.js';

/**
 * Accumulates records (copying their bytes) into one growing buffer: `into` when given and large enough. Nothing
 * is allocated until the first record: a consumer that has caught up polls with reads that find none, and a
 * read's buffers (megabytes) made and dropped at every poll kept the garbage collector busy while idle.
 */
export class PackedBuilder {
  readonly #records: number;
  readonly #bytesHint: number;
  readonly #into: ArrayBuffer | undefined;
  #bytes: Uint8Array | undefined;
  #ends = new Uint32Array(0);
  #offsets = new Float64Array(0);
  #timestamps = new Float64Array(0);
  #count = 0;
  #at = 0;

  constructor(records: number, bytes: number, into?: ArrayBuffer) {
    this.#records = records;
    this.#bytesHint = bytes;
    this.#into = into;
  }

  add(source: Uint8Array, start: number, length: number, offset: number, timestamp: number): void {
    let target = this.#bytes;
    if (target === undefined) {
      const into = this.#into;
      target =
        into !== undefined && into.byteLength >= this.#bytesHint
          ? new Uint8Array(into)
          : new Uint8Array(Math.max(1024, this.#bytesHint));
      // Grown by doubling: a read's record limit (up to 65,536) is far above what its byte limit lets in.
      this.#ends = new Uint32Array(Math.max(16, Math.min(this.#records, 2048)));
      this.#offsets = new Float64Array(this.#ends.length);
      this.#timestamps = new Float64Array(this.#ends.length);
    }
    if (this.#at + length > target.length) {
      const grown = new Uint8Array(Math.max(target.length * 2, this.#at + length));
      grown.set(target.subarray(0, this.#at));
      target = grown;
    }
    this.#bytes = target;
    if (this.#count === this.#ends.length) {
      const size = this.#count * 2;
      this.#ends = grow(this.#ends, new Uint32Array(size));
      this.#offsets = grow(this.#offsets, new Float64Array(size));
      this.#timestamps = grow(this.#timestamps, new Float64Array(size));
    }
    target.set(source.subarray(start, start + length), this.#at);
    this.#at += length;
    this.#ends[this.#count] = this.#at;
    this.#offsets[this.#count] = offset;
    this.#timestamps[this.#count] = timestamp;
    this.#count++;
  }

  done(): PackedRecords {
    const n = this.#count;
    return {
      count: n,
      bytes: this.#at,
      // No record: the caller's buffer goes back to it unused (or an empty one).
      buffer: (this.#bytes?.buffer ?? this.#into ?? new ArrayBuffer(0)) as ArrayBuffer,
      ends: this.#ends.slice(0, n),
      offsets: this.#offsets.slice(0, n),
      timestamps: this.#timestamps.slice(0, n),
    };
  }
}

function grow<T extends Uint32Array | Float64Array>(from: T, into: T): T {
  into.set(from);
  return into;
}

/** Packs records already read (the way for adapters that have no cheaper one), into `into` when it is large enough. */
export function packLogRecords(records: readonly LogRecord[], into?: ArrayBuffer): PackedRecords {
  let total = 0;
  for (const r of records) total += r.value.length;
  const out = new PackedBuilder(records.length, total, into);
  for (const r of records) out.add(r.value, 0, r.value.length, r.offset, r.timestamp);
  return out.done();
}
