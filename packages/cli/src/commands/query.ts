// `lens query "SQL"`: runs SQL on an in-process DuckDB where `delta_scan('PATH'[, version => N])` reads any
// Delta table on disk (through @lens/lake, since DuckDB's delta extension is not available offline).
import { createDuckDB, rewriteDeltaScans } from '@lens/lake';
import type { Command } from 'commander';
import { formatRows, type QueryFormat } from './query-output.js';

/** Registers `lens query`. */
export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description("run SQL with DuckDB; delta_scan('PATH'[, version => N]) reads a Delta table")
    .argument('<sql>', 'the SQL text')
    .option('-f, --format <format>', 'table | json | csv', 'table')
    .action(async (text: string, flags: { format: string }) => {
      if (!['table', 'json', 'csv'].includes(flags.format)) {
        process.stderr.write(`lens query: --format must be table, json or csv (got ${flags.format})\n`);
        process.exitCode = 1;
        return;
      }
      const db = await createDuckDB();
      try {
        const rewritten = await rewriteDeltaScans(text, db);
        const reader = await db.connection.runAndReadAll(rewritten);
        const columns = reader.columnNames();
        // DuckDB's JSON conversion keeps dates and timestamps in SQL text form; whole numbers it leaves as
        // strings become numbers when exact.
        const integer = new Set(reader.columnTypes().flatMap((t, i) => (/INT$/.test(String(t)) ? [columns[i]] : [])));
        const rows = (reader.getRowObjectsJson() as Record<string, unknown>[]).map((r) => {
          for (const c of integer) if (typeof r[c as string] === 'string') r[c as string] = BigInt(r[c as string] as string);
          return r;
        });
        process.stdout.write(formatRows(rows, columns, flags.format as QueryFormat));
      } catch (error) {
        process.stderr.write(`lens query: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      } finally {
        db.close();
      }
    });
}
