// Test kit: a real Lens collector (HTTP, durable local log) in a temp data dir, which can be stopped and
// restarted on its port, told to answer 503 (real log backpressure), read back, and loaded into bronze.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector, type Collector, type RecordSink } from '@lens/collector';
import { DeltaTable, type SqlRow } from '@lens/lake';
import { lakeTablePath, runLoaderOnce } from '@lens/loader';
import { createEventLog, LogBackpressureError, type EventLog, type LogWriter } from '@lens/log';
import { acceptedEvents, decodeLogRecord, LensConfig, LoaderConfig, type EnrichedEvent } from '@lens/protocol';

export const WRITE_KEY = 'tracker-test-write-key';

export interface LensFixture {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** While set, the log refuses appends and the collector answers 503 with `Retry-After` (seconds). */
  refuseSeconds: number | undefined;
  /** Stops the collector (connections refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Every accepted event the log holds, in log order. */
  events(): Promise<EnrichedEvent[]>;
  /** How often each messageId was received. */
  counts(): Promise<Map<string, number>>;
  /** Runs the loader over the log, then returns bronze.events rows. */
  bronze(): Promise<SqlRow[]>;
  close(): Promise<void>;
}

/**
 * Starts a collector on 127.0.0.1 (a random port) over a fresh data dir.
 * @example const lens = await startLens(); … await lens.close();
 */
export async function startLens(): Promise<LensFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-tracker-test-'));
  const log: EventLog = await createEventLog({ backend: 'local', dir: join(dataDir, 'log'), minFreeDiskBytes: 0 });
  const writer: LogWriter = await log.openWriter();
  const config = LensConfig.parse({ collector: { retryAfterSeconds: 1 } }).collector;
  const sources = [{ id: 'web', name: 'Web', writeKey: WRITE_KEY, enabled: true }];
  let collector: Collector | undefined;
  let port = 0;
  const fixture: LensFixture = {
    url: '',
    port: 0,
    dataDir,
    refuseSeconds: undefined,
    async down() {
      await collector?.close();
      collector = undefined;
    },
    async up() {
      const sink: RecordSink = {
        partition: writer.partition,
        append: async (values) => {
          if (fixture.refuseSeconds !== undefined)
            throw new LogBackpressureError('test: refusing appends', fixture.refuseSeconds * 1000);
          return writer.append(values);
        },
      };
      collector = await createCollector({ config, sources, sink });
      ({ port } = await collector.listen({ host: '127.0.0.1', port }));
      Object.assign(fixture, { port, url: `http://127.0.0.1:${port}` });
    },
    async events() {
      const out: EnrichedEvent[] = [];
      for (let offset = 0; ;) {
        const records = await log.read(writer.partition, offset);
        if (records.length === 0) return out;
        for (const record of records) {
          for (const { event } of acceptedEvents(decodeLogRecord(record.value))) out.push(event);
        }
        offset = records.at(-1)!.offset + 1;
      }
    },
    async counts() {
      const counts = new Map<string, number>();
      for (const event of await fixture.events()) counts.set(event.messageId, (counts.get(event.messageId) ?? 0) + 1);
      return counts;
    },
    async bronze() {
      await runLoaderOnce({ config: LoaderConfig.parse({ port: 0 }), dataDir, log });
      const table = await DeltaTable.open(lakeTablePath(dataDir, 'bronze.events'));
      return table.query();
    },
    async close() {
      await collector?.close();
      await writer.close();
      await log.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await fixture.up();
  return fixture;
}

/** Polls `check` until it returns true (or throws after `timeoutMs`, naming `what`). */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
