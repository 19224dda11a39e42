// `lens tables`, `lens history TABLE` and `lens vacuum`: the lake's catalog — every table with its version, files,
// rows, size and last commit —, one table's commit history, and deleting the data files no version within the
// retention reads any more.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LakeCatalog } from '@lens/lake';
import type { Command } from 'commander';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { formatRows, type QueryFormat } from './query-output.js';

/** The lake (DuckDB) loads when a command runs, not for `lens --help` and the other commands. */
const lake = () => import('@lens/lake');

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
      const catalog = await lakeCatalog(config.dataDir);
      const { DeltaTable, createDuckDB } = await lake();
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
      const catalog = await lakeCatalog(config.dataDir);
      const { DeltaTable, createDuckDB } = await lake();
      const name = await resolveTable(catalog, given);
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

/** A table name of the catalog; case-insensitive, as in SQL (`lens query` resolves BRONZE.EVENTS too). */
async function resolveTable(catalog: LakeCatalog, given: string): Promise<string> {
  const tables = await catalog.tables();
  const name = tables.includes(given) ? given : tables.find((t) => t.toLowerCase() === given.toLowerCase());
  if (name === undefined) throw new Error(`table ${given} does not exist (tables: ${tables.join(', ') || 'none yet'})`);
  return name;
}

/** Registers `lens vacuum [TABLE...]`. */
export function registerVacuumCommand(program: Command): void {
  withCommonOptions(
    program
      .command('vacuum')
      .description(
        'delete data files that no table version within the retention reads (left by compaction, rewrites, deletes)',
      )
      .argument('[tables...]', 'layer.name tables (default: every table)'),
  )
    .option('-f, --format <format>', 'table | json | csv', 'table')
    .option(
      '--retention-hours <hours>',
      "keep files a version of the last HOURS may read (default: each table's delta.deletedFileRetentionDuration, 7 days)",
      (v: string) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new Error(`--retention-hours: "${v}" is not a number of hours >= 0`);
        return n;
      },
    )
    .option(
      '--force',
      "allow a retention shorter than the table's: time travel and readers of older versions break, and near 0 a file another writer is about to commit can go",
    )
    .option('--dry-run', 'list the files a vacuum would delete (one row each), delete nothing')
    .action(
      async (
        given: string[],
        flags: TablesFlags & { retentionHours?: number; force?: boolean; dryRun?: boolean },
      ): Promise<void> => {
        const format = checkFormat(flags.format);
        const config = resolveConfig(flags);
        const catalog = await lakeCatalog(config.dataDir);
        const { DeltaTable, createDuckDB } = await lake();
        const names =
          given.length === 0 ? await catalog.tables() : await Promise.all(given.map((g) => resolveTable(catalog, g)));
        const db = await createDuckDB();
        try {
          const rows = [];
          for (const name of names) {
            const table = await DeltaTable.open(catalog.tablePath(name), { sql: db });
            const deleted = await table.vacuum({
              ...(flags.retentionHours === undefined ? {} : { retentionHours: flags.retentionHours }),
              force: flags.force === true,
              dryRun: flags.dryRun === true,
            });
            // A dry run lists each file (what to check before deleting); a vacuum counts what it deleted.
            if (flags.dryRun) rows.push(...deleted.map((file) => ({ table: name, would_delete: file })));
            else rows.push({ table: name, deleted_files: deleted.length });
          }
          process.stdout.write(formatRows(rows, ['table', flags.dryRun ? 'would_delete' : 'deleted_files'], format));
        } finally {
          db.close();
        }
      },
    );
}

/** The data directory's lake; a directory without one is a mistyped --data (an empty listing would hide it). */
async function lakeCatalog(dataDir: string): Promise<LakeCatalog> {
  const lakeDir = join(dataDir, 'lake');
  if (!existsSync(lakeDir))
    throw new Error(`no lake in ${dataDir}: check --data (Lens writes it there once events are loaded)`);
  return new (await lake()).LakeCatalog(lakeDir);
}

function statsRows(stats: string | undefined): number {
  if (stats === undefined) return 0;
  try {
    return Number((JSON.parse(stats) as { numRecords?: number }).numRecords ?? 0);
  } catch {
    return 0;
  }
}
