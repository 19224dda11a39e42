// Paths: the sequences of events (or pages) persons follow within a session — from a start and/or to an
// end node, N steps — as the top level-by-level transitions a Sankey diagram draws. Sessions end after
// `sessionGapMinutes` of silence; repeats of the same node in a row count once.
import { z } from 'zod';
import { commonFields } from '../query/common.js';
import { windowedSource } from '../sql/event-source.js';
import { lit, plainRows } from '../sql/sql-text.js';
import type { InsightKind } from './insight-kind.js';
import { pathsKernel, pathsKernelApplies } from './paths-kernel.js';

export const PathsQuery = z
  .object({
    /** event: nodes are event names; page: nodes are page paths of page/screen views. */
    nodeType: z.enum(['event', 'page']).default('event'),
    start: z.string().min(1).max(500).optional(),
    end: z.string().min(1).max(500).optional(),
    steps: z.number().int().min(2).max(20).default(5),
    sessionGapMinutes: z.number().int().min(1).max(1440).default(30),
    /** Event names never shown as nodes (e.g. identify). */
    exclude: z.array(z.string()).max(50).default([]),
    /** Top transitions returned. */
    limit: z.number().int().min(1).max(1000).default(50),
    ...commonFields,
  })
  .strict();
export type PathsQuery = z.infer<typeof PathsQuery>;

export interface PathsResult {
  nodes: { id: string; level: number; name: string; value: number }[];
  links: { source: string; target: string; level: number; value: number }[];
  /** Sessions that contributed a path. */
  sessions: number;
}

/** The paths kind. */
export const paths: InsightKind<PathsQuery, PathsResult> = {
  name: 'paths',
  description: 'Top step-by-step transitions within sessions, from a start and/or to an end',
  schema: PathsQuery,
  tables: ['silver.events', 'silver.identities'],
  async run(q, env) {
    const { ctes } = windowedSource(env.ctx, env.now, q);
    const node = q.nodeType === 'event' ? 'event_name' : `CASE WHEN type IN ('page', 'screen') THEN page_path END`;
    const exclude = q.exclude.length ? ` AND event_name NOT IN (${q.exclude.map(lit).join(', ')})` : '';
    let rows: Record<string, unknown>[] | undefined;
    if (env.columns && env.nameCodes && pathsKernelApplies(q)) {
      // The typed-array kernel: the window's events as (person, seq, time, name code) in the warm table's storage
      // order — (person, time, message) — with no ORDER BY; the kernel orders by seq only if a row was moved.
      const names: string[] = [];
      for (const [name, code] of await env.nameCodes()) names[code] = name;
      const cols = await env.columns(
        `WITH ${ctes.join(',\n')} SELECT pidx::DOUBLE AS p, seq::DOUBLE AS s, epoch_us(ts_utc)::DOUBLE AS t, name_code::DOUBLE AS c FROM ev WHERE event_name IS NOT NULL${exclude}`,
      );
      rows = pathsKernel(q, cols, names);
    }
    ctes.push(
      `n AS (SELECT person_id, ts_utc AS ts, message_id, ${node} AS node FROM ev WHERE ${node} IS NOT NULL${exclude})`,
    );
    // Two passes over the person's ordered events: (1) the previous event's time and node, (2) session number
    // and position within the session of the rows kept (new session, or a different node than the previous).
    ctes.push(
      `a AS (SELECT *, lag(ts) OVER o AS prev_ts, lag(node) OVER o AS prev_node FROM n WINDOW o AS (PARTITION BY person_id ORDER BY ts, message_id))`,
    );
    ctes.push(
      `k AS (SELECT person_id, ts, message_id, node, (prev_ts IS NULL OR ts > prev_ts + INTERVAL ${q.sessionGapMinutes} MINUTE) AS ns, prev_node FROM a)`,
    );
    ctes.push(`r AS (SELECT person_id, node, sum(ns::INT) OVER o AS sess, row_number() OVER o - last_value(CASE WHEN ns THEN row_number END IGNORE NULLS) OVER o + 1 AS i
      FROM (SELECT *, row_number() OVER (PARTITION BY person_id ORDER BY ts, message_id) AS row_number FROM k WHERE ns OR node IS DISTINCT FROM prev_node)
      WINDOW o AS (PARTITION BY person_id ORDER BY ts, message_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))`);
    const first = (name: string, after = ''): string =>
      `SELECT person_id, sess, min(i) AS i FROM r WHERE node = ${lit(name)}${after} GROUP BY 1, 2`;
    if (q.start !== undefined && q.end !== undefined) {
      ctes.push(`sa AS (${first(q.start)})`);
      ctes.push(
        `ea AS (SELECT r.person_id, r.sess, min(r.i) AS e FROM r JOIN sa USING (person_id, sess) WHERE r.node = ${lit(q.end)} AND r.i > sa.i AND r.i - sa.i < ${q.steps} GROUP BY 1, 2)`,
      );
      ctes.push(
        `p AS (SELECT r.person_id, r.sess, r.node, r.i - sa.i + 1 AS level FROM r JOIN sa USING (person_id, sess) JOIN ea USING (person_id, sess) WHERE r.i >= sa.i AND r.i <= ea.e)`,
      );
    } else if (q.start !== undefined) {
      ctes.push(`sa AS (${first(q.start)})`);
      ctes.push(
        `p AS (SELECT r.person_id, r.sess, r.node, r.i - sa.i + 1 AS level FROM r JOIN sa USING (person_id, sess) WHERE r.i >= sa.i AND r.i - sa.i < ${q.steps})`,
      );
    } else if (q.end !== undefined) {
      ctes.push(`ea AS (${first(q.end)})`);
      ctes.push(
        `p AS (SELECT r.person_id, r.sess, r.node, r.i - ea.i + ${q.steps} AS level FROM r JOIN ea USING (person_id, sess) WHERE r.i <= ea.i AND ea.i - r.i < ${q.steps})`,
      );
    } else {
      ctes.push(`p AS (SELECT person_id, sess, node, i AS level FROM r WHERE i <= ${q.steps})`);
    }
    ctes.push(`t AS (SELECT level, node, lead(node) OVER (PARTITION BY person_id, sess ORDER BY level) AS nxt FROM p)`);
    const sql = `WITH ${ctes.join(',\n')}
      SELECT 'link' AS k, level, node, nxt, count(*) AS value FROM t WHERE nxt IS NOT NULL GROUP BY ALL
      UNION ALL SELECT 'node', level, node, NULL, count(*) FROM p GROUP BY ALL
      UNION ALL SELECT 'sessions', NULL, NULL, NULL, count(*) FROM (SELECT DISTINCT person_id, sess FROM p)`;
    rows ??= plainRows(await env.query(sql));
    const id = (level: number, name: string): string => `${level}_${name}`;
    const links = rows
      .filter((r) => r['k'] === 'link')
      .map((r) => ({
        source: id(Number(r['level']), String(r['node'])),
        target: id(Number(r['level']) + 1, String(r['nxt'])),
        level: Number(r['level']),
        value: Number(r['value']),
      }))
      .sort(
        (a, b) =>
          b.value - a.value ||
          a.level - b.level ||
          a.source.localeCompare(b.source) ||
          a.target.localeCompare(b.target),
      )
      .slice(0, q.limit);
    const used = new Set(links.flatMap((l) => [l.source, l.target]));
    const nodes = rows
      .filter((r) => r['k'] === 'node')
      .map((r) => ({
        id: id(Number(r['level']), String(r['node'])),
        level: Number(r['level']),
        name: String(r['node']),
        value: Number(r['value']),
      }))
      .filter((n) => used.has(n.id) || links.length === 0)
      .sort((a, b) => a.level - b.level || b.value - a.value || a.name.localeCompare(b.name));
    return { nodes, links, sessions: Number(rows.find((r) => r['k'] === 'sessions')?.['value'] ?? 0) };
  },
};
