// `lens tables` and `lens history TABLE`: the lake's catalog — every table with its version, files, rows, size
// and last commit — and one table's commit history.
import { join } from 'node:path';
import { DeltaTable, LakeCatalog, createDuckDB } from '@lens/lake';
import type { Command } from 'commander';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { formatRows, type QueryFormat } from './query-output.js';

interface TablesFlags extends CommonOptions {
  format: string;
}

function checkFormat(format: string): QueryFormat {
  if (!['table', 'json', 'csv'].includes(format))
    throw new Error(`--format must be table, json or csv (got ${format})`);
  return format as QueryFormat;
}

/** Registers `lens tables`. */
export function registerTablesCommand(program: Command): void {
  withCommonOptions(
    program.command('tables').description('list the lake tables with version, files, rows, size and last commit time'),
  )
    .option('-f, --format <format>', 'table | json | csv', 'table')
    .action(async (flags: TablesFlags) => {
      const format = checkFormat(flags.format);
      const config = resolveConfig(flags);
      const catalog = new LakeCatalog(join(config.dataDir, 'lake'));
      const db = await createDuckDB();
      try {
        const rows = [];
        for (const name of await catalog.tables()) {
          const table = await DeltaTable.open(catalog.tablePath(name), { sql: db });
          const snapshot = await table.snapshot();
          const [last] = await table.history(1);
          rows.push({
            table: name,
            version: snapshot.version,
            files: snapshot.files.length,
            rows: snapshot.files.reduce((n, f) => n + statsRows(f.stats ?? undefined), 0),
            size_bytes: snapshot.files.reduce((n, f) => n + f.size, 0),
            last_commit: last?.timestamp === undefined ? null : new Date(last.timestamp).toISOString(),
            last_operation: last?.operation ?? null,
          });
        }
        process.stdout.write(
          formatRows(
            rows,
            ['table', 'version', 'files', 'rows', 'size_bytes', 'last_commit', 'last_operation'],
            format,
          ),
        );
      } finally {
        db.close();
      }
    });
}

/** Registers `lens history TABLE`. */
export function registerHistoryCommand(program: Command): void {
  withCommonOptions(
    program
      .command('history')
      .description("a lake table's commits: version, time, operation, parameters and metrics")
      .argument('<table>', 'layer.name, e.g. bronze.events'),
  )
    .option('-f, --format <format>', 'table | json | csv', 'table')
    .option('-n, --limit <n>', 'most recent commits to show', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--limit: "${v}" is not a positive integer`);
      return n;
    })
    .action(async (given: string, flags: TablesFlags & { limit?: number }) => {
      const format = checkFormat(flags.format);
      const config = resolveConfig(flags);
      const catalog = new LakeCatalog(join(config.dataDir, 'lake'));
      const tables = await catalog.tables();
      // Names are case-insensitive, as in SQL (`lens query` resolves BRONZE.EVENTS too).
      const name = tables.includes(given) ? given : tables.find((t) => t.toLowerCase() === given.toLowerCase());
      if (name === undefined)
        throw new Error(`table ${given} does not exist (tables: ${tables.join(', ') || 'none yet'})`);
      const db = await createDuckDB();
      try {
        const table = await DeltaTable.open(catalog.tablePath(name), { sql: db });
        const history = await table.history(flags.limit);
        const rows = history.map((h) => ({
          version: h.version,
          timestamp: new Date(h.timestamp).toISOString(),
          operation: h.operation ?? null,
          parameters: h.operationParameters,
          metrics: h.operationMetrics,
        }));
        process.stdout.write(formatRows(rows, ['version', 'timestamp', 'operation', 'parameters', 'metrics'], format));
      } finally {
        db.close();
      }
    });
}

function statsRows(stats: string | undefined): number {
  if (stats === undefined) return 0;
  try {
    return Number((JSON.parse(stats) as { numRecords?: number }).numRecords ?? 0);
  } catch {
    return 0;
  }
}
