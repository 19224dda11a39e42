// `lens up`: every role in one go on the embedded defaults — the collector (and, as they land, the loader,
// the API server and the dashboard) as supervised child processes, optionally with demo traffic.
import { resolve } from 'node:path';
import type { DemoTraffic } from '@lens/demo';
import type { LensConfig } from '@lens/protocol';
import type { Command } from 'commander';
import {
  childArgs,
  parsePort,
  parseWorkers,
  resolveConfig,
  withCommonOptions,
  type CommonOptions,
} from '../common-options.js';
import { demoSource, devSourceBanner, sourcesOrDevSource } from '../dev-source.js';
import { createLogger } from '../logger.js';
import { untilSignal } from '../roles/until-signal.js';
import { RoleSupervisor } from '../roles/role-supervisor.js';

interface UpFlags extends CommonOptions {
  port?: number;
  workers?: number;
  demo?: boolean;
  demoRate: number;
}

export function registerUpCommand(program: Command): void {
  withCommonOptions(
    program
      .command('up')
      .description('run every Lens role on this machine with the embedded defaults (no external services)'),
  )
    .option('-p, --port <port>', 'collector HTTP port (default: 8080)', parsePort)
    .option('-w, --workers <n>', 'collector processes; 0 = one per core (default: 1)', parseWorkers)
    .option('--demo', "also send demo traffic (a media group's readers) so there is data to look at at once")
    .option(
      '--demo-rate <events/s>',
      'events per second of the demo traffic',
      (v: string) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new Error(`--demo-rate: "${v}" is not a positive number`);
        return n;
      },
      20,
    )
    .action(async (flags: UpFlags) => {
      const config = resolveConfig(flags, {
        'collector.port': flags.port,
        'collector.workers': flags.workers,
      });
      const clash = portClash(config);
      if (clash !== undefined) throw new Error(clash);
      const logger = createLogger('up', config.logLevel);
      // Listening from the start: a signal while the roles start stops what has started (else SIGTERM during
      // start-up ended lens up at once and left its first roles running).
      const signalled = untilSignal();
      const starting = <T>(step: Promise<T>): Promise<T> =>
        Promise.race([
          step,
          signalled.then((): never => {
            throw new StartInterruptedError();
          }),
        ]);
      const { sources, devSource } = sourcesOrDevSource(config);
      const supervisor = new RoleSupervisor(logger);
      let demo: DemoTraffic | undefined;
      let demoTicker: NodeJS.Timeout | undefined;
      const stopAll = async (): Promise<void> => {
        clearInterval(demoTicker);
        try {
          // Rejects when the collector refused the demo's write key: said after the roles are stopped (it used to
          // end stopAll here, and lens up printed the error and went on running with every role).
          await demo?.stop();
        } finally {
          await supervisor.stop();
        }
      };
      try {
        const common = childArgs(flags, config);
        const collectorUrl = await starting(
          supervisor.start('collector', [
            ...common,
            '--port',
            String(config.collector.port),
            '--workers',
            String(config.collector.workers),
          ]),
        );
        const loaderUrl = await starting(supervisor.start('loader', common));
        const pipelinesUrl = await starting(supervisor.start('pipelines', ['run', '--continuous', ...common]));
        const serverUrl = await starting(supervisor.start('server', [...common, '--port', String(config.server.port)]));
        const url = collectorUrl ?? `http://localhost:${config.collector.port}`;
        process.stdout.write(
          [
            '',
            `Lens is up. Data directory: ${config.dataDir}`,
            `  collector: ${url}  (health: ${url}/health, metrics: ${url}/metrics)`,
            `  loader:    log → bronze.events every ${config.loader.flushIntervalMs} ms${loaderUrl ? `  (health and metrics: ${loaderUrl})` : ''}`,
            `  pipelines: bronze → silver → gold, continuously (lens pipelines status)${pipelinesUrl ? `  (health and metrics: ${pipelinesUrl})` : ''}`,
            `  dashboard: ${serverUrl ?? `http://localhost:${config.server.port}`}  (API: /api/insights/{kind}, /api/trending, /api/sql, /api/tables, /api/openapi.json)`,
            `  query:     npx lens query${queryWhere(flags.config, config.dataDir)} "SELECT type, count(*) FROM bronze.events GROUP BY 1"`,
            '',
          ].join('\n'),
        );
        // The same, structured, for whoever reads the log rather than the terminal (the write key stays out of it).
        logger.info(
          {
            dataDir: config.dataDir,
            collector: url,
            loader: loaderUrl ?? null,
            pipelines: pipelinesUrl ?? null,
            server: serverUrl ?? `http://localhost:${config.server.port}`,
            ...(devSource === undefined ? {} : { devSource: devSource.id }),
          },
          'lens_up_ready',
        );
        if (devSource !== undefined) process.stdout.write(`\n${devSourceBanner(devSource, url)}\n`);
        if (flags.demo) {
          const source = demoSource(sources)!;
          const { startDemoTraffic } = await import('@lens/demo');
          demo = startDemoTraffic({ url, writeKey: source.writeKey, rate: flags.demoRate, logger });
          process.stdout.write(
            `\nDemo traffic: ~${flags.demoRate} events/s of simulated newsroom readers to source "${source.id}" (a line every 10 s).\n`,
          );
          demoTicker = setInterval(() => {
            const stats = demo!.stats();
            process.stdout.write(
              `demo: ${stats.accepted} events accepted, ${stats.rejected} quarantined (deliberately malformed), ${stats.failed} failed, ${stats.retries} retries\n`,
            );
          }, 10_000);
        }
        process.stdout.write('\nPress Ctrl+C to stop.\n');
      } catch (error) {
        await stopAll();
        if (error instanceof StartInterruptedError) return;
        throw error;
      }
      await signalled;
      process.stdout.write('Stopping Lens…\n');
      await stopAll();
    });
}

/** A signal came while the roles were starting: what started is stopped, and lens up ends without an error. */
class StartInterruptedError extends Error {
  constructor() {
    super('stopped during start-up');
    this.name = 'StartInterruptedError';
  }
}

/** The options a pasted `lens query` needs to read this instance's lake (none for the defaults). */
function queryWhere(configFile: string | undefined, dataDir: string): string {
  const quote = (v: string) => (/^[\w./-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`);
  const parts: string[] = [];
  if (configFile !== undefined) parts.push('--config', quote(configFile));
  if (resolve(dataDir) !== resolve('lens-data')) parts.push('--data', quote(dataDir));
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

/**
 * Two roles of `lens up` set to the same port (0 = any free port, or off for the ops endpoints) — said before any
 * starts; each would otherwise fail at start with EADDRINUSE after the first took it.
 */
export function portClash(config: LensConfig): string | undefined {
  const ports: [string, number][] = [
    ['collector.port', config.collector.port],
    ['loader.port', config.loader.port],
    ['pipelines.port', config.pipelines.port],
    ['server.port', config.server.port],
  ];
  for (let i = 0; i < ports.length; i++)
    for (let j = i + 1; j < ports.length; j++)
      if (ports[i]![1] !== 0 && ports[i]![1] === ports[j]![1])
        return `${ports[i]![0]} and ${ports[j]![0]} are both ${ports[i]![1]}: lens up runs both roles on this machine, give them different ports`;
  return undefined;
}
