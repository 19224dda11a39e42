// `lens demo --bulk N --out DIR`: N demo events straight into DIR's lake, for benchmarks and trying Lens on a
// large data set. No HTTP, but the same path as live traffic: the collector's validation and enrichment, the
// durable log, and the loader into bronze.events (exactly once, deduplicated, quality-checked), in chunks so the
// log stays small.
import { join } from 'node:path';
import { prepareEvents } from '@lens/collector';
import { generateEvents } from '@lens/demo';
import { runLoaderOnce } from '@lens/loader';
import { createEventLog } from '@lens/log';
import type { LensConfig } from '@lens/protocol';
import type { Logger } from 'pino';

const DAY_MS = 86_400_000;
/** People of the world simulated first to measure how many events one makes over the period. */
const SAMPLE_PEOPLE = 400;
/** Headroom on the measured rate, so that N is reached near the period's end rather than not at all. */
const HEADROOM = 1.03;
const BATCH = 100;
const LOAD_EVERY = 1_000_000;

export interface BulkOptions {
  count: number;
  seed: number;
  days: number;
  users?: number;
  sourceId: string;
  progress?: (written: number) => void;
}

export interface BulkResult {
  generated: number;
  loaded: number;
  quarantined: number;
  seconds: number;
  /** Of `seconds`, the time spent loading the log into bronze (the rest: generating and ingesting). */
  loadSeconds: number;
  start: string;
  end: string;
}

/** The Monday 00:00 UTC on or before `days` ago, so weekly cohorts line up with calendar weeks. */
export function bulkPeriodStart(days: number, now = Date.now()): Date {
  const from = new Date(now - days * DAY_MS);
  const monday =
    Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()) - ((from.getUTCDay() + 6) % 7) * DAY_MS;
  return new Date(monday);
}

/**
 * The people to simulate so that `count` events span the whole period: the events per person measured on the
 * world's first people (the same ones the run starts with). A person's rate is not proportional to the days: the
 * first visits are the busiest (about 30 events in a 1-day period, 42 in 14 days, 80 in 56).
 */
export function bulkPopulation(count: number, seed: number, days: number, start: Date): number {
  const sample = Math.min(SAMPLE_PEOPLE, Math.max(50, Math.ceil(count / 40)));
  let events = 0;
  for (const _ of generateEvents({ seed, users: sample, days, start })) events++;
  return Math.max(1, Math.ceil((count / Math.max(1, events / sample)) * HEADROOM));
}

/** Generates, ingests and loads `count` events into `config.dataDir`. */
export async function runDemoBulk(config: LensConfig, options: BulkOptions, logger: Logger): Promise<BulkResult> {
  const started = performance.now();
  const now = Date.now();
  const start = bulkPeriodStart(options.days, now);
  // From that Monday up to now: `days` ago at the least, up to six days more.
  const days = (now - start.getTime()) / DAY_MS;
  const users = options.users ?? bulkPopulation(options.count, options.seed, days, start);
  const log = await createEventLog({ ...config.log, dir: join(config.dataDir, 'log'), logger });
  const writer = await log.openWriter();
  const totals = { generated: 0, loaded: 0, quarantined: 0, loadSeconds: 0 };
  const load = async (): Promise<void> => {
    const loadStarted = performance.now();
    const stats = await runLoaderOnce({ config: config.loader, dataDir: config.dataDir, log, logger });
    totals.loaded += stats.eventsLoaded;
    totals.quarantined += stats.quarantined;
    await log.enforceRetention();
    totals.loadSeconds += (performance.now() - loadStarted) / 1000;
  };
  let last = start.toISOString();
  try {
    let batch: Record<string, unknown>[] = [];
    // Appends in flight share group commits; waiting for each one alone would make every batch one fsync.
    let inFlight: Promise<unknown>[] = [];
    const settle = async (): Promise<void> => {
      await Promise.all(inFlight);
      inFlight = [];
    };
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      // The batch arrives just after its last event was sent, as a real SDK's would.
      const sentAt = String(batch[batch.length - 1]!['sentAt'] ?? batch[batch.length - 1]!['timestamp']);
      const receivedAt = new Date(Date.parse(sentAt) + 40);
      const prepared = prepareEvents(
        batch,
        {
          sourceId: options.sourceId,
          route: '/v1/batch',
          limits: config.collector.limits,
          receivedAt,
          receivedAtIso: receivedAt.toISOString(),
          requestIp: '203.0.113.7',
          sentAt: undefined,
          anonymousId: undefined,
          context: undefined,
          integrations: undefined,
        },
        'batch',
      );
      inFlight.push(writer.append(prepared.records));
      batch = [];
      if (inFlight.length >= 64) await settle();
    };
    for (const event of generateEvents({ seed: options.seed, users, days, start })) {
      const { _demoMalformed: _ignored, ...sent } = event as Record<string, unknown>;
      batch.push(sent);
      last = String(sent['timestamp'] ?? last);
      if (++totals.generated >= options.count) break;
      if (batch.length === BATCH) await flush();
      if (totals.generated % LOAD_EVERY === 0) {
        await flush();
        await settle();
        await load();
        options.progress?.(totals.generated);
      }
    }
    await flush();
    await settle();
    await load();
  } finally {
    await writer.close();
    await log.close();
  }
  return { ...totals, seconds: (performance.now() - started) / 1000, start: start.toISOString(), end: last };
}
