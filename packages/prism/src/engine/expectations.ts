// Expectations over a run's output rows (the temp table __prism_out), in declaration order: count the rows
// where the condition is not true; warn keeps them, drop deletes them, quarantine moves them to
// __prism_quarantine (with the expectation's name), fail aborts the run before anything is committed.
import type { Sql } from '@lens/lake';
import type { Expectation } from '../definition/dataset-definition.js';
import { ExpectationFailedError } from '../errors.js';
import { literal } from './duck-types.js';

/** Per-expectation outcome of one run. */
export interface ExpectationResult {
  name: string;
  action: Expectation['action'];
  failedRows: number;
}

/** Applies the expectations; returns their counts and how many rows went to quarantine. */
export async function applyExpectations(
  db: Sql,
  dataset: string,
  expectations: readonly Expectation[],
): Promise<{ results: ExpectationResult[]; quarantined: number }> {
  await db.run(`CREATE OR REPLACE TEMP TABLE __prism_quarantine (expectation VARCHAR, "row" VARCHAR)`);
  const results: ExpectationResult[] = [];
  let quarantined = 0;
  for (const e of expectations) {
    const failing = `NOT COALESCE((${e.condition}), FALSE)`;
    const [row] = await db.all(`SELECT count(*) AS n FROM __prism_out WHERE ${failing}`);
    const failedRows = Number(row?.['n'] ?? 0);
    results.push({ name: e.name, action: e.action, failedRows });
    if (failedRows === 0 || e.action === 'warn') continue;
    if (e.action === 'fail') throw new ExpectationFailedError(dataset, e.name, failedRows, results);
    if (e.action === 'quarantine') {
      await db.run(
        `INSERT INTO __prism_quarantine SELECT ${literal(e.name)}, to_json(t)::VARCHAR FROM __prism_out t WHERE ${failing}`,
      );
      quarantined += failedRows;
    }
    await db.run(`DELETE FROM __prism_out WHERE ${failing}`);
  }
  return { results, quarantined };
}
