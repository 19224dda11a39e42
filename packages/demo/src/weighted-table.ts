// Sampling from a fixed discrete distribution in O(log n): a cumulative table and a binary search. Used for
// Zipf-ranked article picks, segment shares and every planted categorical distribution.
import type { Random } from './random.js';

/** A discrete distribution over `items` with the given non-negative weights (they need not sum to 1). */
export class WeightedTable<T> {
  readonly items: readonly T[];
  readonly #cumulative: Float64Array;
  readonly #total: number;

  constructor(items: readonly T[], weights: readonly number[]) {
    if (items.length === 0 || items.length !== weights.length)
      throw new RangeError('WeightedTable: items and weights must be non-empty and of equal length');
    this.items = items;
    this.#cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += Math.max(0, w);
      this.#cumulative[i] = sum;
    });
    if (sum <= 0) throw new RangeError('WeightedTable: weights must not all be zero');
    this.#total = sum;
  }

  /** Builds a table from a record of weights keyed by item. */
  static fromRecord<K extends string>(weights: Readonly<Record<K, number>>): WeightedTable<K> {
    const keys = Object.keys(weights) as K[];
    return new WeightedTable(
      keys,
      keys.map((k) => weights[k]),
    );
  }

  /** The probability of the item at `index`. */
  probability(index: number): number {
    const prev = index === 0 ? 0 : (this.#cumulative[index - 1] as number);
    return ((this.#cumulative[index] as number) - prev) / this.#total;
  }

  /** Draws one item. */
  sample(rng: Random): T {
    return this.items[this.sampleIndex(rng)] as T;
  }

  /** Draws the index of one item. */
  sampleIndex(rng: Random): number {
    const target = rng.next() * this.#total;
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Zipf weights 1/rank^s for ranks 1..n: the heavy tail of article popularity. */
export function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
}
