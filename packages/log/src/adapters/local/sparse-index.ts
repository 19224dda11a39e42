// A sparse in-memory index of (offset -> byte position) per segment, so a read from the middle of a large
// segment scans at most one stride of frames instead of the whole file, and a sequential reader none.
const STRIDE_BYTES = 256 * 1024;

interface Entry {
  offset: number;
  pos: number;
}

/** Remembers positions of some frame starts per segment base; always knows `base -> 0`. */
export class SparseIndex {
  readonly #entries = new Map<number, Entry[]>();
  /** The most recent position noted (where the last read ended): a sequential reader starts exactly there. */
  readonly #last = new Map<number, Entry>();

  /** Records that the frame of `offset` starts at `pos` in segment `base`. */
  note(base: number, offset: number, pos: number): void {
    this.#last.set(base, { offset, pos });
    let entries = this.#entries.get(base);
    if (entries === undefined) {
      entries = [{ offset: base, pos: 0 }];
      this.#entries.set(base, entries);
    }
    const tail = entries.at(-1)!;
    if (offset > tail.offset && pos - tail.pos >= STRIDE_BYTES) entries.push({ offset, pos });
  }

  /**
   * Records a frame start that must stay known whatever the stride (where intact records resume after damage):
   * a read from past the damage then starts after it instead of scanning into it again.
   */
  anchor(base: number, offset: number, pos: number): void {
    this.note(base, offset, pos);
    const entries = this.#entries.get(base)!;
    let at = entries.length;
    while (at > 0 && entries[at - 1]!.offset > offset) at--;
    if (at > 0 && entries[at - 1]!.offset === offset) return;
    entries.splice(at, 0, { offset, pos });
  }

  /** The closest known frame start at or before `offset` in segment `base`. */
  floor(base: number, offset: number): Entry {
    const last = this.#last.get(base);
    if (last !== undefined && last.offset === offset) return last;
    const entries = this.#entries.get(base);
    if (entries === undefined) return { offset: base, pos: 0 };
    let lo = 0;
    let hi = entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (entries[mid]!.offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return entries[lo]!;
  }

  /** Drops what is known about a deleted segment. */
  forget(base: number): void {
    this.#entries.delete(base);
    this.#last.delete(base);
  }
}
