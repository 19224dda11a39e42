// `lens pipelines run|list|status|history|lineage`: Prism's declarative pipelines (bronze → silver → gold).
import type { Command } from 'commander';
import { parsePort, positiveOption, resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { createLogger } from '../logger.js';
import { formatRows } from './query-output.js';

/** Prism and the pipelines role load when a sub-command runs, not for `lens --help` (they pull in DuckDB). */
const prism = () => import('@lens/prism');
const role = () => import('../roles/pipelines-role.js');

interface RunFlags extends CommonOptions {
  fullRefresh?: boolean;
  from?: string;
  to?: string;
  continuous?: boolean;
  port?: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar date written YYYY-MM-DD. */
const isDate = (s: string): boolean =>
  DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`);
};

/** What `lens pipelines history --format table` shows of a run (JSON and CSV give every column). */
const HISTORY_TABLE_COLUMNS = [
  'started_at',
  'pipeline',
  'mode',
  'status',
  'attempt',
  'seconds',
  'rows_in',
  'rows_out',
  'rows_deleted',
  'error',
];

/** Registers `lens pipelines` and its subcommands. */
export function registerPipelinesCommand(program: Command): void {
  const pipelines = program
    .command('pipelines')
    .description('declarative pipelines from bronze to silver to gold (Prism)');
  withCommonOptions(
    pipelines.command('run').argument('[names...]', 'pipelines to run (default: all, in dependency order)'),
  )
    .description('run pipelines once (incremental), as a full refresh, as a backfill of a date range, or continuously')
    .option('--full-refresh', 'recompute the outputs from all of their inputs')
    .option('--from <date>', 'backfill from this date (YYYY-MM-DD, inclusive)')
    .option('--to <date>', 'backfill up to this date (inclusive)')
    .option('--continuous', 'keep running the scheduler until interrupted')
    .option(
      '-p, --port <port>',
      'with --continuous: port of the ops endpoint, GET /health and GET /metrics (default: 8082, pipelines.port; 0 = off)',
      parsePort,
    )
    .action(async (names: string[], flags: RunFlags) => {
      // The scheduler runs every pipeline incrementally: names, --full-refresh or --from/--to were silently ignored.
      if (
        flags.continuous &&
        (names.length > 0 || flags.fullRefresh || flags.from !== undefined || flags.to !== undefined)
      )
        throw new Error(
          '--continuous runs every pipeline incrementally on its schedule: it takes no pipeline names, --full-refresh or --from/--to',
        );
      if (flags.port !== undefined && !flags.continuous)
        throw new Error("--port is the running scheduler's ops port: it goes with --continuous");
      if ((flags.from === undefined) !== (flags.to === undefined)) throw new Error('--from and --to go together');
      // A date DuckDB cannot read (2026-13-01, 2026-02-30) failed every pipeline, each after its retries.
      for (const [flag, value] of [
        ['--from', flags.from],
        ['--to', flags.to],
      ] as const)
        if (value !== undefined && !isDate(value))
          throw new Error(`${flag} ${value}: not a calendar date; dates are YYYY-MM-DD (e.g. 2026-03-01)`);
      const config = resolveConfig(flags, { 'pipelines.port': flags.port });
      const logger = createLogger('pipelines', config.logLevel);
      const { pipelineGraph, runPipelinesOnce, runPipelinesRole } = await role();
      if (flags.continuous) return runPipelinesRole(config, logger);
      if (flags.from !== undefined && flags.from > flags.to!)
        throw new Error(`--to ${flags.to} is before --from ${flags.from}: nothing to backfill`);
      if (flags.from !== undefined && flags.fullRefresh)
        throw new Error('--full-refresh and --from/--to exclude each other');
      const mode = flags.fullRefresh
        ? { kind: 'full' as const }
        : flags.from
          ? { kind: 'backfill' as const, from: flags.from, to: flags.to! }
          : { kind: 'incremental' as const };
      const records = await runPipelinesOnce(config, pipelineGraph(config), names, mode, logger);
      for (const r of records) {
        process.stdout.write(
          `${r.pipeline.padEnd(24)} ${r.status.padEnd(9)} ${r.mode.padEnd(12)} in ${r.rowsIn} out ${r.rowsOut} deleted ${r.rowsDeleted} ${r.endedAt.getTime() - r.startedAt.getTime()} ms${r.error ? `  ${r.error}` : ''}\n`,
        );
      }
      if (records.length === 0) process.stdout.write('nothing to do: no input changed since the last run\n');
      if (records.some((r) => r.status === 'failed')) process.exitCode = 1;
    });
  withCommonOptions(pipelines.command('list'))
    .description('the pipelines, their inputs, update mode and schedule')
    .action(async (flags: CommonOptions) => {
      const { pipelineGraph } = await role();
      const graph = pipelineGraph(resolveConfig(flags));
      process.stdout.write(`${'PIPELINE'.padEnd(24)} ${'UPDATE'.padEnd(18)} ${'SCHEDULE'.padEnd(16)} INPUTS\n`);
      for (const d of graph.ordered) {
        process.stdout.write(
          `${d.name.padEnd(24)} ${d.update.mode.padEnd(18)} ${d.schedule.padEnd(16)} ${d.inputs.join(', ')}${d.shipped ? '' : `  (${d.file})`}\n`,
        );
      }
    });
  withCommonOptions(pipelines.command('status'))
    .description('the last run of each pipeline')
    .action(async (flags: CommonOptions) => {
      const config = resolveConfig(flags);
      const [{ readRuns }, { pipelineGraph }] = await Promise.all([prism(), role()]);
      // Each pipeline's latest run: the last 10,000 runs of all (2.8 h of a continuous silver.events under traffic)
      // left a pipeline scheduled hourly or daily 'never run'.
      const runs = await readRuns(config.dataDir, { latestPerPipeline: true, limit: 100_000 });
      process.stdout.write(`${'PIPELINE'.padEnd(24)} ${'STATUS'.padEnd(9)} ${'ENDED'.padEnd(24)} ROWS OUT\n`);
      for (const d of pipelineGraph(config).ordered) {
        const last = runs.find((r) => r['pipeline'] === d.name);
        process.stdout.write(
          `${d.name.padEnd(24)} ${last ? `${String(last['status']).padEnd(9)} ${last['ended_at'] instanceof Date ? last['ended_at'].toISOString() : String(last['ended_at'])} ${String(last['rows_out'])}${last['error'] ? `  ${String(last['error'])}` : ''}` : 'never run'}\n`,
        );
      }
    });
  withCommonOptions(pipelines.command('history').argument('[name]', 'one pipeline'))
    .option('-n, --limit <n>', 'runs to show', positiveOption('--limit', true), 20)
    // JSON stays the default: scripts read it since the command exists.
    .option('-f, --format <format>', 'json | table (the main columns, seconds taken) | csv', 'json')
    .description('runs from lens.runs, newest first')
    .action(async (name: string | undefined, flags: CommonOptions & { limit: number; format: string }) => {
      if (!['table', 'json', 'csv'].includes(flags.format))
        throw new Error(`--format must be json, table or csv (got ${flags.format})`);
      const config = resolveConfig(flags);
      const [{ readRuns }, { pipelineGraph }] = await Promise.all([prism(), role()]);
      // A mistyped name is an error (as for `pipelines run`), not an empty history.
      if (name !== undefined && !pipelineGraph(config).byName.has(name))
        throw new Error(`no pipeline named ${name} (lens pipelines list shows them)`);
      const runs = await readRuns(config.dataDir, { ...(name ? { pipeline: name } : {}), limit: flags.limit });
      if (flags.format === 'json') return print(runs);
      if (flags.format === 'csv') {
        const columns = runs.length > 0 ? Object.keys(runs[0]!) : [];
        return void process.stdout.write(formatRows(runs, columns, 'csv'));
      }
      const rows = runs.map((r) => ({
        ...r,
        seconds:
          r['started_at'] instanceof Date && r['ended_at'] instanceof Date
            ? (r['ended_at'].getTime() - r['started_at'].getTime()) / 1000
            : null,
      }));
      process.stdout.write(formatRows(rows, HISTORY_TABLE_COLUMNS, 'table'));
    });
  withCommonOptions(pipelines.command('lineage'))
    .option(
      '--openlineage',
      'print OpenLineage events (JSON lines): a JobEvent per dataset, a RunEvent for its latest run',
    )
    .description('table-level lineage from the definitions')
    .action(async (flags: CommonOptions & { openlineage?: boolean }) => {
      const config = resolveConfig(flags);
      const [{ lineageEvents, readRuns }, { pipelineGraph }] = await Promise.all([prism(), role()]);
      const graph = pipelineGraph(config);
      if (flags.openlineage) {
        // The latest run of each pipeline, for its RunEvent (every pipeline: the limit is the graph's size).
        const runs = (await readRuns(config.dataDir, { latestPerPipeline: true, limit: graph.ordered.length + 1 })).map(
          (r) => ({
            pipeline: String(r['pipeline']),
            runId: String(r['run_id']),
            status: String(r['status']),
            endedAt: r['ended_at'] as Date | string,
            rowsOut: r['rows_out'] as number | bigint | null,
            error: (r['error'] as string | null) ?? null,
          }),
        );
        for (const e of lineageEvents(graph, `lens://${config.dataDir}`, runs))
          process.stdout.write(`${JSON.stringify(e)}\n`);
        return;
      }
      for (const e of graph.edges) process.stdout.write(`${e.from} → ${e.to}\n`);
    });
}
