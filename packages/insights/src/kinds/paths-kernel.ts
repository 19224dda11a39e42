// Event paths as a typed-array kernel: the window's events (person index, warm-table position in (person, time,
// message) order, time in µs, event-name code) read once from the warm table, grouped per person in that order,
// then one pass in JS splits sessions
// after the gap, collapses repeats of a node in a row, anchors on the start/end node and counts the Sankey's
// nodes and links per level. It returns the row shape of paths.ts's SQL, so the result is shaped the same way.
import type { NumericColumns } from '../duckdb-runner.js';
import { groupByPerson } from './person-order.js';
import type { PathsQuery } from './paths.js';

/** True when the kernel answers `q` (event nodes; page paths use the SQL). */
export function pathsKernelApplies(q: PathsQuery): boolean {
  return q.nodeType === 'event';
}

/** Rows like the SQL's: link (level, node, nxt, value), node (level, node, value), sessions (value). */
export function pathsKernel(q: PathsQuery, cols: NumericColumns, names: readonly string[]): Record<string, unknown>[] {
  const [P, S0, T0, C0] = cols.cols as [Float64Array, Float64Array, Float64Array, Float64Array];
  const n = cols.rows;
  const pidx = Int32Array.from(P);
  const {
    cols: [, T, Cf],
    starts,
    persons,
  } = groupByPerson(pidx, [S0, T0, C0]) as {
    cols: [Float64Array, Float64Array, Float64Array];
    starts: Int32Array;
    persons: number;
  };
  const code = new Map(names.map((name, i) => [name, i]));
  const startCode = q.start === undefined ? -1 : (code.get(q.start) ?? -2);
  const endCode = q.end === undefined ? -1 : (code.get(q.end) ?? -2);
  const S = q.steps;
  const K = names.length + 1;
  const gap = q.sessionGapMinutes * 60_000_000;
  const nodes = new Map<number, number>();
  const links = new Map<number, number>();
  let sessions = 0;
  const buf = new Int32Array(n);
  const bump = (m: Map<number, number>, key: number): void => {
    m.set(key, (m.get(key) ?? 0) + 1);
  };
  // One session's kept nodes are buf[0, len): count the part the anchors select.
  const flush = (len: number): void => {
    if (len === 0) return;
    let lo = 0;
    let hi = Math.min(len, S) - 1;
    let base = 1; // level of buf[lo]
    if (startCode !== -1) {
      lo = buf.subarray(0, len).indexOf(startCode);
      if (lo < 0) return;
      if (endCode !== -1) {
        let e = -1;
        for (let i = lo + 1; i < len && i - lo < S; i++) {
          if (buf[i] === endCode) {
            e = i;
            break;
          }
        }
        if (e < 0) return;
        hi = e;
      } else {
        hi = Math.min(len - 1, lo + S - 1);
      }
    } else if (endCode !== -1) {
      hi = buf.subarray(0, len).indexOf(endCode);
      if (hi < 0) return;
      lo = Math.max(0, hi - S + 1);
      base = lo - hi + S;
    }
    sessions++;
    for (let i = lo; i <= hi; i++) {
      const level = base + i - lo;
      bump(nodes, level * K + buf[i]!);
      if (i < hi) bump(links, (level * K + buf[i]!) * K + buf[i + 1]!);
    }
  };
  for (let g = 0; g < persons; g++) {
    let prevT = Number.NaN;
    let prevNode = -1;
    let len = 0;
    for (let r = starts[g]!; r < starts[g + 1]!; r++) {
      const t = T[r]!;
      const c = Cf[r]!;
      const ns = Number.isNaN(prevT) || t > prevT + gap;
      prevT = t;
      if (!ns && c === prevNode) continue;
      if (ns) {
        flush(len);
        len = 0;
      }
      buf[len++] = c;
      prevNode = c;
    }
    flush(len);
  }
  const rows: Record<string, unknown>[] = [];
  for (const [key, value] of links) {
    const b = key % K;
    const a = ((key - b) / K) % K;
    const level = Math.floor(key / K / K);
    rows.push({ k: 'link', level, node: names[a], nxt: names[b], value });
  }
  for (const [key, value] of nodes)
    rows.push({ k: 'node', level: Math.floor(key / K), node: names[key % K], nxt: null, value });
  rows.push({ k: 'sessions', level: null, node: null, nxt: null, value: sessions });
  return rows;
}
