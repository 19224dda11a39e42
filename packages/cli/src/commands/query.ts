// `lens query "SQL"`: runs read-only SQL on an in-process DuckDB where the lake's tables are addressed by name
// (`bronze.events`, `silver.*`, `gold.*`, `lens.*`) through their Delta snapshots with data skipping, and
// `delta_scan('PATH'[, version => N])` reads any Delta table on disk (DuckDB's delta extension is not available
// offline). `--as-of` travels in time.
import { join } from 'node:path';
import type { DuckDBValueConverter } from '@duckdb/node-api';
import type { SnapshotSelector } from '@lens/lake';
import type { Command } from 'commander';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { formatRows, type QueryFormat } from './query-output.js';

interface QueryFlags extends CommonOptions {
  format: string;
  asOf?: string;
}

/** `--as-of 12` is a version; anything else must be a timestamp, not a future one. */
export function parseAsOf(value: string | undefined, now = Date.now()): SnapshotSelector {
  if (value === undefined) return {};
  if (/^\d+$/.test(value)) return { version: Number(value) };
  if (/^-\d+$/.test(value)) throw new Error(`--as-of: "${value}": a table version is 0 or more`);
  // A time without a zone is UTC, like a date alone and everything Lens prints (Date.parse would take the
  // machine's zone: on a machine in Tokyo, another version).
  const unzoned = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value) && !/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value);
  const timestamp = unzoned ? `${value.replace(' ', 'T')}Z` : value;
  // A date first (Date.parse alone takes "-1" or "12 monkeys" for times).
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value)) || Number.isNaN(Date.parse(timestamp)))
    throw new Error(`--as-of: "${value}" is neither a table version nor a timestamp (e.g. 2026-01-02T10:00:00Z)`);
  // No version is committed in the future: the latest would be read, and change with the next commit (a mistyped
  // year, most likely). Delta engines refuse a time after the latest commit; this refuses only what cannot be one.
  if (Date.parse(timestamp) > now)
    throw new Error(
      `--as-of: ${new Date(Date.parse(timestamp)).toISOString()} is in the future (now ${new Date(now).toISOString()}); ` +
        'omit --as-of to read the latest versions',
    );
  return { timestamp };
}

/** Registers `lens query`. */
export function registerQueryCommand(program: Command): void {
  withCommonOptions(
    program
      .command('query')
      .description(
        "run read-only SQL over the lake: tables by name (bronze.events …), delta_scan('PATH') for any Delta table",
      )
      .argument('<sql>', 'the SQL text (a SELECT, or EXPLAIN [ANALYZE] of one)'),
  )
    .option('-f, --format <format>', 'table | json | csv', 'table')
    .option('--as-of <version|timestamp>', 'read the lake tables as of a version or a point in time')
    .addHelpText(
      'after',
      `\nExamples:\n  lens query "SELECT type, count(*) FROM bronze.events GROUP BY 1"\n  lens query --format json "SELECT * FROM bronze.events WHERE event_date = DATE '2026-11-26' LIMIT 5"\n  lens query --as-of 3 "SELECT count(*) FROM bronze.events"\n`,
    )
    .action(async (text: string, flags: QueryFlags) => {
      if (!['table', 'json', 'csv'].includes(flags.format)) {
        process.stderr.write(`lens query: --format must be table, json or csv (got ${flags.format})\n`);
        process.exitCode = 1;
        return;
      }
      // The lake (DuckDB) loads here, not at start-up: `lens --help` and every other command skip it.
      const { LakeCatalog, createDuckDB, prepareLakeQuery, rewriteDeltaScans } = await import('@lens/lake');
      const db = await createDuckDB();
      try {
        const asOf = parseAsOf(flags.asOf);
        const config = resolveConfig(flags);
        const rewritten = await rewriteDeltaScans(text, db);
        await prepareLakeQuery(new LakeCatalog(join(config.dataDir, 'lake')), db, rewritten, asOf);
        const reader = await db.connection.runAndReadAll(rewritten);
        const columns = reader.columnNames();
        const rows = reader.convertRowObjects(await queryValueConverter());
        // EXPLAIN's plan is text drawn in boxes: printed as it is, not squeezed into one table cell.
        if (flags.format === 'table' && columns.join() === 'explain_key,explain_value')
          process.stdout.write(rows.map((r) => `${String(r['explain_value'])}\n`).join(''));
        else process.stdout.write(formatRows(rows, columns, flags.format as QueryFormat));
      } catch (error) {
        process.stderr.write(`lens query: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      } finally {
        db.close();
      }
    });
}

const INFINITY_MICROS = 2n ** 63n - 1n;

/**
 * How `lens query` reads a result's values, nested ones included: DuckDB's JSON forms (dates and timestamps in SQL
 * text form), except whole numbers, kept exact (formatRows writes them as numbers), TIMESTAMPTZ, written
 * from its microseconds in UTC (DuckDB's JSON text uses the machine's zone, `-08`, while the query ran in UTC),
 * DATE, whose infinities read as DuckDB writes them, and INTERVAL, as DuckDB's text.
 */
async function queryValueConverter(): Promise<DuckDBValueConverter<unknown>> {
  const [{ DuckDBTypeId: T, JsonDuckDBValueConverter: json }, { dateText }] = await Promise.all([
    import('@duckdb/node-api'),
    import('@lens/lake'),
  ]);
  // Nested values (LIST, STRUCT, MAP…) go through this converter too: their integers and TIMESTAMPTZs read the
  // same as a column's (JSON's converter made them digit strings and text in the machine's zone).
  const convert: DuckDBValueConverter<unknown> = (value, type) => {
    if (value === null) return null;
    switch (type.typeId) {
      case T.BIGINT:
      case T.UBIGINT:
      case T.HUGEINT:
      case T.UHUGEINT:
        return value;
      case T.TIMESTAMP_TZ:
        return utcTimestampText((value as unknown as { micros: bigint }).micros);
      case T.DATE:
        return dateText(value);
      // DuckDB's own text (`01:30:00`, `1 year 2 days 00:00:01.5`), not JSON's {months, days, micros}.
      case T.INTERVAL:
        return String(value);
      default:
        return json(value, type, convert as Parameters<typeof json>[2]);
    }
  };
  return convert;
}

/** DuckDB's text of a TIMESTAMPTZ in UTC: `2026-01-02 10:00:00.1234+00`. */
export function utcTimestampText(micros: bigint): string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = micros - seconds * 1_000_000n;
  // DuckDB's infinities are the largest magnitudes a TIMESTAMP holds (±(2^63 − 1) µs).
  if (micros === INFINITY_MICROS || micros === -INFINITY_MICROS) return micros > 0n ? 'infinity' : '-infinity';
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return String(micros);
  const digits = fraction === 0n ? '' : `.${fraction.toString().padStart(6, '0').replace(/0+$/, '')}`;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}${digits}+00`;
}
