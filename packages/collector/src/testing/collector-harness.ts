// Test harness: a collector app over an in-memory record sink, with helpers to read back what was stored.
import {
  acceptedEvents,
  decodeLogRecord,
  LensConfig,
  type AcceptedRecord,
  type LogRecordPayload,
  type RejectedRecord,
} from '@lens/protocol';
import { createCollector, type Collector } from '../collector-app.js';
import type { RecordSink } from '../collector-context.js';

export const WRITE_KEY = 'test-write-key-1';
export const OTHER_WRITE_KEY = 'test-write-key-2';
export const BASIC_AUTH = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

/** A sink that keeps records in memory and can be told to refuse appends like a full log does. */
export class MemorySink implements RecordSink {
  readonly partition = 0;
  readonly records: Buffer[] = [];
  refuse: Error | undefined;
  /** Thrown by append itself instead of a rejected promise (a sink that fails before it starts). */
  throwNow: Error | undefined;

  append(values: readonly Buffer[]): Promise<void> {
    if (this.throwNow) throw this.throwNow;
    if (this.refuse) return Promise.reject(this.refuse);
    this.records.push(...values);
    return Promise.resolve();
  }

  /** What the records hold, one payload per event: a request record's events as the records the loader sees. */
  payloads(): LogRecordPayload[] {
    return this.records.flatMap((record) => {
      const payload = decodeLogRecord(record);
      return payload.kind === 'request' ? acceptedEvents(payload) : [payload];
    });
  }
  accepted(): AcceptedRecord[] {
    return this.payloads().filter((p): p is AcceptedRecord => p.kind === 'event');
  }
  rejected(): RejectedRecord[] {
    return this.payloads().filter((p): p is RejectedRecord => p.kind === 'rejected');
  }
}

export async function startTestCollector(
  configOverrides: Record<string, unknown> = {},
): Promise<{ app: Collector; sink: MemorySink }> {
  const config = LensConfig.parse({ collector: configOverrides }).collector;
  const sink = new MemorySink();
  const app = await createCollector({
    config,
    sink,
    sources: [
      { id: 'web', name: 'Web', writeKey: WRITE_KEY, enabled: true },
      { id: 'app', name: 'App', writeKey: OTHER_WRITE_KEY, enabled: true },
      { id: 'off', name: 'Disabled', writeKey: 'disabled-key-1', enabled: false },
    ],
  });
  return { app, sink };
}
