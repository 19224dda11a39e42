// Validates a raw JSON query against a kind's schema; the error names the first offending field by its
// JSON path (`series.0.math`) and lists every issue.
import type { z } from 'zod';
import { InsightQueryError } from '../errors.js';

/** Parses `raw` with `schema` or throws InsightQueryError naming the field. */
export function parseQuery<Q>(schema: z.ZodType<Q, z.ZodTypeDef, unknown>, raw: unknown): Q {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: unionMessage(i) }));
  const first = issues[0] ?? { field: '', message: 'invalid query' };
  return (() => {
    throw new InsightQueryError(first.field, first.message, issues);
  })();
}

/** For a union (e.g. the date range), the message of the branch that got furthest. */
function unionMessage(issue: z.ZodIssue): string {
  if (issue.code === 'invalid_union') {
    const deepest = issue.unionErrors.flatMap((e) => e.issues).sort((a, b) => b.path.length - a.path.length)[0];
    // The sub-field is named when it is one (`dateRange.last: …`); the field itself is named by the error.
    if (deepest)
      return deepest.path.length > issue.path.length
        ? `${deepest.path.slice(-1).join('')}: ${deepest.message}`
        : deepest.message;
  }
  return issue.message;
}
