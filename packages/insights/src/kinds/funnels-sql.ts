// The SQL of a funnel: each entry (a step-1 event in range) is an attempt; ordered mode chains ASOF joins to
// the earliest next step inside the window, strict mode reads the person's very next events, any-order mode
// looks for each step's first occurrence after an anchor. Exclusions void an attempt; each person keeps the
// attempt that got furthest (earliest on ties).
import { matcherSql } from '../sql/event-source.js';
import type { FunnelQuery } from './funnels.js';

const n = (q: FunnelQuery): number[] => q.steps.map((_, i) => i + 1);

/** CTEs from `f` (step flags s1..sN, exclusion flags x1..xM on the person's events) to `best` (one row per person). */
export function funnelCtes(q: FunnelQuery, w: number, fromSql: string, toSql: string): string[] {
  const steps = n(q);
  const inRange = `ts >= ${fromSql} AND ts < ${toSql}`;
  const within = (t: string): string => `${t} <= t1 + INTERVAL ${w} SECOND`;
  const ctes: string[] = [];
  const flags = [
    ...q.steps.map((s, i) => `${matcherSql(s)} AS s${i + 1}`),
    ...q.exclusions.map((x, j) => `${matcherSql(x)} AS x${j + 1}`),
  ];
  const any = [...q.steps.map((_, i) => `s${i + 1}`), ...q.exclusions.map((_, j) => `x${j + 1}`)].join(' OR ');
  ctes.push(`f0 AS (SELECT person_id, ts_utc AS ts, message_id, __bd AS bd, ${flags.join(', ')} FROM ev)`);
  ctes.push(q.order === 'strict' ? 'f AS (SELECT * FROM f0)' : `f AS (SELECT * FROM f0 WHERE ${any})`);
  for (const k of steps) ctes.push(`st${k} AS (SELECT person_id, ts FROM f WHERE s${k})`);
  if (q.order === 'ordered') {
    // One sorted pass: at every step event, the time of the next event of each later step (strictly after it).
    // An attempt then hops from its entry to the next step 2, from that step-2 event to the next step 3, … by
    // hash lookups on (person, time) — the earliest next step is always the best choice in ordered mode.
    const nexts = steps.slice(1).map((k) => `min(ts) FILTER (WHERE s${k}) OVER w AS n${k}`);
    ctes.push(
      `nx AS (SELECT *, ${nexts.join(', ')} FROM f WINDOW w AS (PARTITION BY person_id ORDER BY ts RANGE BETWEEN INTERVAL 1 MICROSECOND FOLLOWING AND UNBOUNDED FOLLOWING))`,
    );
    for (const k of steps.slice(1, -1))
      ctes.push(`m${k} AS (SELECT person_id, ts, min(n${k + 1}) AS nn FROM nx WHERE s${k} GROUP BY 1, 2)`);
    ctes.push(
      `c2 AS (SELECT person_id, bd, ts AS t1, CASE WHEN ${within('n2')} THEN n2 END AS t2 FROM nx WHERE s1 AND ${inRange})`,
    );
    for (const k of steps.slice(2)) {
      ctes.push(
        `c${k} AS (SELECT a.*, CASE WHEN ${within('m.nn')} THEN m.nn END AS t${k} FROM c${k - 1} a LEFT JOIN m${k - 1} m ON m.person_id = a.person_id AND m.ts = a.t${k - 1})`,
      );
    }
    ctes.push(`att AS (SELECT * FROM c${steps.length})`);
  } else if (q.order === 'strict') {
    const leads = steps
      .slice(1)
      .flatMap((k) => [`lead(s${k}, ${k - 1}) OVER o AS n${k}`, `lead(ts, ${k - 1}) OVER o AS nt${k}`]);
    ctes.push(
      `sw AS (SELECT *, ${leads.join(', ')} FROM f WINDOW o AS (PARTITION BY person_id ORDER BY ts, message_id))`,
    );
    const ts = steps.slice(1).map((k) => {
      const chain = steps
        .slice(1, k)
        .map((j) => `coalesce(n${j}, FALSE)`)
        .concat(`coalesce(n${k}, FALSE)`)
        .join(' AND ');
      return `CASE WHEN ${chain} AND nt${k} <= ts + INTERVAL ${w} SECOND THEN nt${k} END AS t${k}`;
    });
    ctes.push(`att AS (SELECT person_id, bd, ts AS t1, ${ts.join(', ')} FROM sw WHERE s1 AND ${inRange})`);
  } else {
    const stepAny = steps.map((k) => `s${k}`).join(' OR ');
    ctes.push(`u0 AS (SELECT person_id, bd, ts AS a0 FROM f WHERE (${stepAny}) AND ${inRange})`);
    for (const k of steps) {
      ctes.push(
        `u${k} AS (SELECT a.*, CASE WHEN b.ts <= a.a0 + INTERVAL ${w} SECOND THEN b.ts END AS d${k} FROM u${k - 1} a ASOF LEFT JOIN st${k} b ON a.person_id = b.person_id AND b.ts >= a.a0)`,
      );
    }
    // Any order: step k "reached" means k of the steps done; t1 is the anchor, the last step the latest done.
    const done = steps.map((k) => `(d${k} IS NOT NULL)::INT`).join(' + ');
    const ts = steps
      .slice(1)
      .map((k) => `CASE WHEN (${done}) >= ${k} THEN greatest(${steps.map((j) => `d${j}`).join(', ')}) END AS t${k}`);
    ctes.push(`att AS (SELECT person_id, bd, a0 AS t1, ${ts.join(', ')} FROM u${steps.length})`);
  }
  ctes.push(exclusionCte(q, w));
  const reached = steps.map((k) => `(t${k} IS NOT NULL)::INT`).join(' + ');
  ctes.push(`best AS (SELECT *, ${reached} AS reached FROM attx WHERE NOT excluded
    QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY ${reached} DESC, t1) = 1)`);
  return ctes;
}

/** `attx`: attempts with `excluded` = an exclusion event fell between its from- and to-step (or the window end). */
function exclusionCte(q: FunnelQuery, w: number): string {
  if (q.exclusions.length === 0 || q.order === 'any') return 'attx AS (SELECT *, FALSE AS excluded FROM att)';
  let from = 'att';
  const conds: string[] = [];
  q.exclusions.forEach((x, j) => {
    const name = `ax${j + 1}`;
    from = `(SELECT a.*, e.ts AS ${name} FROM ${from} a ASOF LEFT JOIN (SELECT person_id, ts FROM f WHERE x${j + 1}) e ON a.person_id = e.person_id AND e.ts > a.t${x.fromStep})`;
    conds.push(
      `(t${x.fromStep} IS NOT NULL AND ${name} IS NOT NULL AND ${name} < coalesce(t${x.toStep}, t1 + INTERVAL ${w} SECOND))`,
    );
  });
  return `attx AS (SELECT *, ${conds.join(' OR ')} AS excluded FROM ${from})`;
}

/** The final SELECT: per breakdown value (and overall, bd NULL with grouping 1) counts and timings per step. */
export function funnelSummarySql(q: FunnelQuery): string {
  const steps = n(q);
  const counts = steps.map((k) => `count(*) FILTER (WHERE reached >= ${k}) AS c${k}`);
  const times = steps
    .slice(1)
    .flatMap((k) => [
      `median(epoch(t${k}) - epoch(t${k - 1})) FILTER (WHERE reached >= ${k}) AS med${k}`,
      `avg(epoch(t${k}) - epoch(t${k - 1})) FILTER (WHERE reached >= ${k}) AS avg${k}`,
    ]);
  const last = steps.length;
  return `SELECT GROUPING(bd) AS total, bd, ${counts.join(', ')}, ${times.join(', ')},
    list(epoch(t${last}) - epoch(t1)) FILTER (WHERE reached = ${last}) AS conv
    FROM best GROUP BY GROUPING SETS ((), (bd))`;
}
