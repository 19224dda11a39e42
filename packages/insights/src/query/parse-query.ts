// Validates a raw JSON query against a kind's schema; the error names the first offending field by its
// JSON path (`series.0.math`) and lists every issue.
import type { z } from 'zod';
import { InsightQueryError } from '../errors.js';

/** Parses `raw` with `schema` or throws InsightQueryError naming the field. */
export function parseQuery<Q>(schema: z.ZodType<Q, z.ZodTypeDef, unknown>, raw: unknown): Q {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map(unionIssue).map((i) => ({ field: i.path.join('.'), message: i.message }));
  const first = issues[0] ?? { field: '', message: 'invalid query' };
  return (() => {
    throw new InsightQueryError(first.field, first.message, issues);
  })();
}

/**
 * For a union (the date range: `{from, to}` or `{last, unit}`), the issue of the branch the value was closest to —
 * the one with the fewest issues (`{last: "7"}` is a relative range with a bad `last`, not an absolute one missing
 * `from`) — with its own path (`dateRange.last`).
 */
function unionIssue(issue: z.ZodIssue): z.ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const branches = issue.unionErrors.map((e) => e.issues).filter((list) => list.length > 0);
  branches.sort(
    (a, b) =>
      a.length - b.length || Math.max(...b.map((i) => i.path.length)) - Math.max(...a.map((i) => i.path.length)),
  );
  const best = branches[0]?.[0];
  return best ? unionIssue(best) : issue;
}
