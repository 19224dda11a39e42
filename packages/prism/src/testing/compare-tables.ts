// Compares two Delta tables row for row (as multisets; doubles rounded to 9 places, since sums in another
// order differ in the last bits). Used by the "incremental equals full refresh" tests.
import { createDuckDB, DeltaTable } from '@lens/lake';

/** Rows only in `a`, rows only in `b`, and both counts. */
export interface TableDiff {
  onlyInA: number;
  onlyInB: number;
  rowsA: number;
  rowsB: number;
  sample: unknown[];
}

/** Diffs the latest snapshots of the tables at two directories. */
export async function compareTables(dirA: string, dirB: string): Promise<TableDiff> {
  const db = await createDuckDB();
  try {
    const a = await DeltaTable.open(dirA, { sql: db });
    const b = await DeltaTable.open(dirB, { sql: db });
    const sqlA = (await a.scan()).sql;
    const cols = (await db.describe(sqlA)).map((c) =>
      /^(DOUBLE|FLOAT)$/.test(c.type) ? `round("${c.name}", 9) AS "${c.name}"` : `"${c.name}"`,
    );
    await db.run(`CREATE TEMP TABLE ta AS SELECT ${cols.join(', ')} FROM (${sqlA})`);
    await db.run(`CREATE TEMP TABLE tb AS SELECT ${cols.join(', ')} FROM (${(await b.scan()).sql})`);
    const n = async (q: string): Promise<number> =>
      Number((await db.all(`SELECT count(*) AS n FROM (${q})`))[0]?.['n'] ?? 0);
    return {
      onlyInA: await n('SELECT * FROM ta EXCEPT ALL SELECT * FROM tb'),
      onlyInB: await n('SELECT * FROM tb EXCEPT ALL SELECT * FROM ta'),
      rowsA: await n('SELECT * FROM ta'),
      rowsB: await n('SELECT * FROM tb'),
      sample: await db.all(
        "(SELECT 'a' AS side, * FROM (SELECT * FROM ta EXCEPT ALL SELECT * FROM tb) LIMIT 2) UNION ALL (SELECT 'b', * FROM (SELECT * FROM tb EXCEPT ALL SELECT * FROM ta) LIMIT 2)",
      ),
    };
  } finally {
    db.close();
  }
}
