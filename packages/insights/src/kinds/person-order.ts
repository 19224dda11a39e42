// Row order for the typed-array kernels: rows grouped by person (a counting sort on the dense person index,
// scattering each column once) and, within a person, by time and then tie-break columns — the order the SQL
// windows use (PARTITION BY person ORDER BY ts, message_id). Rows arrive from a scan mostly in time order, so
// a person's rows rarely need sorting after the scatter.

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
