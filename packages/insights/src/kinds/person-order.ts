// Row order for the typed-array kernels: rows grouped by person and, within a person, by time and then
// tie-break columns — the order the SQL windows use (PARTITION BY person ORDER BY ts, message_id). Rows read
// from the warm table arrive in that order already (checked in one pass); otherwise a counting sort on the
// dense person index scatters each column once and a person's rows are sorted if they need it.

/** Columns regrouped: person g's rows are [starts[g], starts[g + 1]) in every column of `cols`. */
export interface PersonGroups {
  cols: Float64Array[];
  starts: Int32Array;
  persons: number;
}

/**
 * Groups rows by `pidx` (small non-negative integers) and orders each person's rows by (cols[0], then the
 * columns at `tieCols`); returns the columns reordered.
 */
export function groupByPerson(
  pidx: Int32Array,
  cols: readonly Float64Array[],
  tieCols: readonly number[] = [],
): PersonGroups {
  const n = pidx.length;
  const grouped = tieCols.length === 0 ? alreadyGrouped(pidx, cols[0]!) : undefined;
  if (grouped) return { cols: [...cols], starts: grouped, persons: grouped.length - 1 };
  let max = 0;
  for (let i = 0; i < n; i++) if (pidx[i]! > max) max = pidx[i]!;
  const count = new Int32Array(max + 2);
  for (let i = 0; i < n; i++) count[pidx[i]! + 1]!++;
  for (let p = 1; p < count.length; p++) count[p]! += count[p - 1]!;
  const dest = new Int32Array(n);
  const at = count.slice(0, max + 1);
  for (let i = 0; i < n; i++) dest[i] = at[pidx[i]!]!++;
  const out = cols.map((c) => {
    const o = new Float64Array(n);
    for (let i = 0; i < n; i++) o[dest[i]!] = c[i]!;
    return o;
  });
  const t = out[0]!;
  const ties = tieCols.map((c) => out[c]!);
  const before = (a: number, b: number): number => {
    const d = t[a]! - t[b]!;
    if (d !== 0) return d;
    for (let k = 0; k < ties.length; k++) {
      const e = ties[k]![a]! - ties[k]![b]!;
      if (e !== 0) return e;
    }
    return 0;
  };
  const starts: number[] = [];
  for (let p = 0; p <= max; p++) {
    const from = count[p]!;
    const to = count[p + 1]!;
    if (from === to) continue;
    starts.push(from);
    let sorted = true;
    for (let i = from + 1; i < to && sorted; i++) {
      if (t[i - 1]! > t[i]! || (t[i - 1] === t[i] && ties.length > 0 && before(i - 1, i) > 0)) sorted = false;
    }
    if (sorted) continue;
    // Stable sort of this person's rows (scan order breaks full ties), applied to every column.
    const idx = Array.from({ length: to - from }, (_, k) => from + k).sort((a, b) => before(a, b) || a - b);
    for (const o of out) {
      const copy = idx.map((i) => o[i]!);
      o.set(copy, from);
    }
  }
  starts.push(n);
  return { cols: out, starts: Int32Array.from(starts), persons: starts.length - 1 };
}

/**
 * The person starts when rows already come grouped by person (ascending pidx) and in `key` order within a
 * person — the warm table's storage order — else undefined.
 */
function alreadyGrouped(pidx: Int32Array, key: Float64Array): Int32Array | undefined {
  const n = pidx.length;
  let persons = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) {
    const d = pidx[i]! - pidx[i - 1]!;
    if (d < 0 || (d === 0 && key[i]! < key[i - 1]!)) return undefined;
    if (d > 0) persons++;
  }
  const starts = new Int32Array(persons + 1);
  for (let i = 1, g = 1; i < n; i++) if (pidx[i] !== pidx[i - 1]) starts[g++] = i;
  starts[persons] = n;
  return starts;
}
