// `lens demo`: sends live, seeded demo traffic (a media group's readers) to a running collector through the
// real tracking API, at a target rate, printing a running count. The write key defaults to the configured
// (or development) source of the data directory, so `lens up` then `lens demo` works with no flags.
import type { DemoTrafficStats } from '@lens/demo';
import type { Command } from 'commander';
import { positiveOption, resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { demoSource, sourcesOrDevSource } from '../dev-source.js';
import { createLogger } from '../logger.js';

interface DemoFlags extends CommonOptions {
  url?: string;
  writeKey?: string;
  rate: number;
  duration?: number;
  users?: number;
  seed?: number;
  bulk?: number;
  out?: string;
  days: number;
}

/** Registers `lens demo`. */
export function registerDemoCommand(program: Command): void {
  withCommonOptions(
    program
      .command('demo')
      .description("send live demo traffic (a media group's readers, seeded) to a running collector"),
  )
    .option(
      '--url <url>',
      'collector base URL (default: http://localhost:<collector.port of the configuration>, 8080 unless set)',
      (v: string) => {
        if (!URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol))
          throw new Error(`--url: "${v}" is not an http(s) URL such as http://localhost:8080`);
        return v;
      },
    )
    .option('--write-key <key>', 'write key of the source to send as (default: the configured or development source)')
    .option('--rate <events/s>', 'target events per second', positiveOption('--rate', false), 50)
    .option('--duration <s>', 'seconds to run (default: until Ctrl+C)', positiveOption('--duration', false))
    .option(
      '--users <n>',
      'simulated people (default: 600 × rate, enough to sustain the rate; with --bulk: sized so the events span the --days)',
      positiveOption('--users', true),
    )
    .option(
      '--seed <n>',
      'seed of the simulation (default: from the clock, so messageIds never repeat; 42 with --bulk)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new Error(`--seed: "${v}" is not an integer`);
        return n;
      },
    )
    .option(
      '--bulk <events>',
      'instead of live traffic: write this many events straight into the lake of --out (no HTTP)',
      positiveOption('--bulk', true),
    )
    .option('--out <dir>', 'with --bulk: the data directory to fill (its lake gets bronze.events; default: --data)')
    .option(
      '--days <n>',
      'with --bulk: days of history the events span, towards now (from the Monday on or before, for weekly cohorts)',
      positiveOption('--days', true),
      56,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  lens up &\n  lens demo --rate 200 --duration 60\n  lens demo --bulk 10000000 --out ./bench-data   # then: lens pipelines run --data ./bench-data --full-refresh\n',
    )
    .action(async (flags: DemoFlags) => {
      if (flags.out !== undefined && flags.bulk === undefined) throw new Error('--out goes with --bulk');
      const config = resolveConfig({ ...flags, ...(flags.out === undefined ? {} : { data: flags.out }) });
      const logger = createLogger('demo', config.logLevel);
      if (flags.bulk !== undefined) {
        const { runDemoBulk } = await import('../roles/demo-bulk.js');
        const result = await runDemoBulk(
          config,
          {
            count: flags.bulk,
            days: flags.days,
            seed: flags.seed ?? 42,
            sourceId: demoSource(sourcesOrDevSource(config).sources)?.id ?? 'demo',
            ...(flags.users === undefined ? {} : { users: flags.users }),
            progress: (n) => process.stderr.write(`demo --bulk: ${n} events generated and loaded\n`),
          },
          logger,
        );
        process.stdout.write(
          `demo --bulk: ${result.generated} events generated (${result.start} … ${result.end}), ${result.loaded} loaded into bronze.events, ${result.quarantined} quarantined, in ${result.seconds.toFixed(1)} s (${Math.round(result.generated / result.seconds)} events/s; loading took ${result.loadSeconds.toFixed(1)} s) → ${config.dataDir}\n`,
        );
        return;
      }
      const writeKey =
        flags.writeKey ?? process.env.LENS_WRITE_KEY ?? demoSource(sourcesOrDevSource(config).sources)?.writeKey;
      if (writeKey === undefined) throw new Error('--write-key: no write key given and no source configured');
      // The collector of this configuration (--config, LENS_COLLECTOR_PORT), as the write key is its source's.
      const url = flags.url ?? `http://localhost:${config.collector.port}`;
      const { startDemoTraffic } = await import('@lens/demo');
      const traffic = startDemoTraffic({
        url,
        writeKey,
        rate: flags.rate,
        logger,
        ...(flags.duration === undefined ? {} : { durationS: flags.duration }),
        ...(flags.users === undefined ? {} : { users: flags.users }),
        ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      });
      const tty = process.stderr.isTTY;
      const print = (stats: DemoTrafficStats, final = false) => {
        // The rate of events the collector took (generated-but-undelivered events are no traffic).
        const line = `demo: ${stats.accepted} accepted, ${stats.rejected} quarantined, ${stats.failed} failed, ${stats.retries} retries — ${((stats.accepted + stats.rejected) / Math.max(stats.elapsedS, 0.001)).toFixed(1)} events/s delivered over ${stats.elapsedS.toFixed(0)} s`;
        process.stderr.write(tty && !final ? `\r${line}` : `${tty ? '\r' : ''}${line}\n`);
      };
      const ticker = setInterval(() => print(traffic.stats()), tty ? 1000 : 10_000);
      const onSignal = () => void traffic.stop();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const stats = await traffic.done;
        print(stats, true);
        if (stats.accepted + stats.rejected === 0 && stats.failed > 0)
          throw new Error(`no event reached the collector at ${url} (${stats.failed} failed): is it running there?`);
      } finally {
        clearInterval(ticker);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
