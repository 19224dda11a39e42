// Ordered funnels as a typed-array kernel: one scan of the warm table's step and exclusion events read as
// numeric columns (person index and a bit per matched step or exclusion packed in one number, time in µs, the
// entry's first-touch breakdown code), grouped per person in JS. Per person, each entry hops to the earliest next step
// strictly after the previous one (binary search in that step's times), inside the window; exclusions void
// an attempt; the person keeps the attempt that got furthest (earliest on ties). The figures are those the
// SQL of funnels-sql.ts computes (its GROUPING SETS row shape), so funnels.ts shapes either the same way.
import type { NumericColumns } from '../duckdb-runner.js';
import { groupByPerson } from './person-order.js';
import type { FunnelQuery } from './funnels.js';

/** Row shape of funnelSummarySql: total (1 = all), bd, c1.., med2.., avg2.., conv. */
export type FunnelSummaryRow = Record<string, unknown>;

/** True when the kernel answers `q` (ordered funnels without a persons list; at most 20 steps + 10 exclusions). */
export function funnelKernelApplies(q: FunnelQuery): boolean {
  return q.order === 'ordered' && q.persons === undefined && q.steps.length + q.exclusions.length <= 30;
}

/** The packed column is pidx × MASK_SPAN + mask (bit i-1: step i; bit N+j-1: exclusion j). */
export const MASK_SPAN = 2 ** 30;

/** DuckDB's quantile_cont(0.5) of sorted values: lo + (hi − lo) × 0.5 between the middle two. */
export function duckMedian(sorted: Float64Array | number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rn = (n - 1) * 0.5;
  const lo = Math.floor(rn);
  const hi = Math.ceil(rn);
  if (lo === hi) return sorted[lo]!;
  return sorted[lo]! + (rn - lo) * (sorted[hi]! - sorted[lo]!);
}

/** First index in `a[from, to)` with a value > x (`to` if none). */
function upper(a: Float64Array, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Computes the summary rows from columns [pidx × MASK_SPAN + mask, t (µs), bd code]; `bdNames[code]` names a
 * breakdown code (without a breakdown, no groups but the total).
 */
export function funnelKernel(
  q: FunnelQuery,
  cols: NumericColumns,
  windowSeconds: number,
  fromUs: number,
  toUs: number,
  bdNames?: readonly string[],
): FunnelSummaryRow[] {
  const [PM, T0, B0] = cols.cols as [Float64Array, Float64Array, Float64Array | undefined];
  const n = cols.rows;
  const pidx = new Int32Array(n);
  const M0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(PM[i]! / MASK_SPAN);
    pidx[i] = p;
    M0[i] = PM[i]! - p * MASK_SPAN;
  }
  // Rows regrouped by person, in time order.
  const {
    cols: [T, Mf, B],
    starts,
    persons,
  } = groupByPerson(pidx, B0 ? [T0, M0, B0] : [T0, M0]) as {
    cols: [Float64Array, Float64Array, Float64Array | undefined];
    starts: Int32Array;
    persons: number;
  };
  const M = Int32Array.from(Mf);
  const N = q.steps.length;
  const X = q.exclusions.length;
  const bits = N + X;
  const W = windowSeconds * 1_000_000;
  // Times of each bit's events, in row order (so per person, ascending); per person the range [start, end).
  const counts = new Int32Array(bits);
  for (let i = 0; i < n; i++) {
    const m = M[i]!;
    for (let b = 0; b < bits; b++) if ((m >>> b) & 1) counts[b]!++;
  }
  const times = Array.from({ length: bits }, (_, b) => new Float64Array(counts[b]!));
  const fill = new Int32Array(bits);
  const start = new Int32Array(bits);
  const end = new Int32Array(bits);
  // Best attempt per person, aggregated into groups: 0 = total, 1 + code = breakdown value.
  const groups = new Map<number, { c: number[]; diffs: number[][]; conv: number[] }>();
  const group = (g: number): { c: number[]; diffs: number[][]; conv: number[] } => {
    let x = groups.get(g);
    if (!x)
      groups.set(
        g,
        (x = { c: new Array<number>(N + 1).fill(0), diffs: Array.from({ length: N + 1 }, () => []), conv: [] }),
      );
    return x;
  };
  group(0);
  const t = new Float64Array(N + 1);
  const bestT = new Float64Array(N + 1);
  // Per step, the first time after the previous step's time: entries come in time order, so every step's time
  // is non-decreasing from one entry to the next and its position only moves forward (no search needed).
  const next = new Int32Array(bits);
  for (let g = 0; g < persons; g++) {
    const i = starts[g]!;
    const j = starts[g + 1]!;
    for (let b = 0; b < bits; b++) start[b] = fill[b]!;
    for (let r = i; r < j; r++) {
      const m = M[r]!;
      for (let b = 0; b < bits; b++) if ((m >>> b) & 1) times[b]![fill[b]!++] = T[r]!;
    }
    for (let b = 0; b < bits; b++) {
      end[b] = fill[b]!;
      next[b] = start[b]!;
    }
    let bestReached = 0;
    let bestBd = Number.NaN;
    for (let r = i; r < j && bestReached < N; r++) {
      if ((M[r]! & 1) === 0) continue;
      const t1 = T[r]!;
      if (t1 < fromUs || t1 >= toUs) continue;
      const deadline = t1 + W;
      t[1] = t1;
      let reached = 1;
      for (let k = 2; k <= N; k++) {
        const b = k - 1;
        const ts = times[b]!;
        const e = end[b]!;
        let at = next[b]!;
        while (at < e && ts[at]! <= t[k - 1]!) at++;
        next[b] = at;
        if (at >= e || ts[at]! > deadline) break;
        t[k] = ts[at]!;
        reached = k;
      }
      let excluded = false;
      for (let x = 0; x < X && !excluded; x++) {
        const ex = q.exclusions[x]!;
        if (ex.fromStep > reached) continue;
        const b = N + x;
        const at = upper(times[b]!, start[b]!, end[b]!, t[ex.fromStep]!);
        if (at >= end[b]!) continue;
        const limit = ex.toStep <= reached ? t[ex.toStep]! : deadline;
        if (times[b]![at]! < limit) excluded = true;
      }
      if (excluded || reached <= bestReached) continue;
      bestReached = reached;
      bestBd = B ? B[r]! : Number.NaN;
      for (let k = 1; k <= reached; k++) bestT[k] = t[k]!;
    }
    if (bestReached > 0) {
      const targets = [group(0)];
      if (bdNames) targets.push(group(1 + bestBd));
      for (const g of targets) {
        for (let k = 1; k <= bestReached; k++) g.c[k]!++;
        for (let k = 2; k <= bestReached; k++) g.diffs[k]!.push(bestT[k]! / 1e6 - bestT[k - 1]! / 1e6);
        if (bestReached === N) g.conv.push(bestT[N]! / 1e6 - bestT[1]! / 1e6);
      }
    }
  }
  const rows: FunnelSummaryRow[] = [];
  for (const [g, x] of groups) {
    const row: FunnelSummaryRow = { total: g === 0 ? 1 : 0, bd: g === 0 ? null : (bdNames![g - 1] ?? '$other') };
    for (let k = 1; k <= N; k++) row[`c${k}`] = x.c[k]!;
    for (let k = 2; k <= N; k++) {
      const d = Float64Array.from(x.diffs[k]!).sort();
      row[`med${k}`] = duckMedian(d);
      row[`avg${k}`] = d.length === 0 ? null : x.diffs[k]!.reduce((a, v) => a + v, 0) / d.length;
    }
    row['conv'] = x.conv.length ? x.conv : null;
    rows.push(row);
  }
  return rows;
}
