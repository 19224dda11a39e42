// Test kit: collector-shaped log records (the exact layout `@lens/protocol` log-record.ts defines and the
// collector appends), a temp data directory with a local log, and a reader of bronze tables as plain rows.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDuckDB, DeltaTable } from '@lens/lake';
import { createEventLog, type EventLog } from '@lens/log';
import {
  encodeLogRecord,
  encodeRequestRecord,
  LOG_RECORD_VERSION,
  requestRecordHead,
  type RequestRecordFacts,
  type AcceptedRecord,
  type EnrichedEvent,
  type RejectedRecord,
} from '@lens/protocol';
import { lakeTablePath } from '../lake-table-path.js';

/** An accepted record as the collector writes it (or as an older collector wrote it: `version` 1, no head). */
export function acceptedRecord(
  event: Partial<EnrichedEvent> = {},
  sourceId = 'web',
  requestIp = '203.0.113.7',
  version: AcceptedRecord['v'] = LOG_RECORD_VERSION,
): Buffer {
  const now = new Date().toISOString();
  const e: EnrichedEvent = {
    type: 'track',
    event: 'Clicked',
    messageId: randomUUID(),
    anonymousId: 'anon-1',
    properties: { button: 'buy' },
    context: { ip: requestIp, library: { name: 'analytics.js', version: '1.0' } },
    originalTimestamp: now,
    sentAt: now,
    receivedAt: now,
    timestamp: now,
    ...event,
  } as EnrichedEvent;
  const record: AcceptedRecord = { v: version, kind: 'event', sourceId, requestIp, event: e };
  return encodeLogRecord(record);
}

/**
 * A request record (version 3) as the collector writes it: the batch body's text as sent and the accepted events'
 * indexes and message ids (every event of the batch, in order, unless `events` says otherwise).
 */
export function requestRecord(
  batch: Record<string, unknown>[],
  options: {
    facts?: Partial<RequestRecordFacts>;
    envelope?: Record<string, unknown>;
    events?: [number, string][];
  } = {},
): Buffer {
  const events = options.events ?? batch.map((e, i): [number, string] => [i, String(e['messageId'] ?? randomUUID())]);
  const facts: RequestRecordFacts = {
    sourceId: 'web',
    requestIp: '203.0.113.7',
    receivedAt: new Date().toISOString(),
    ...options.facts,
  };
  const body = Buffer.from(JSON.stringify({ batch, ...options.envelope }));
  return encodeRequestRecord(requestRecordHead(facts, JSON.stringify(events)), body);
}

/** A rejected (quarantine) record as the collector writes it. */
export function rejectedRecord(fields: Partial<RejectedRecord> = {}): Buffer {
  const record: RejectedRecord = {
    v: LOG_RECORD_VERSION,
    kind: 'rejected',
    sourceId: 'web',
    receivedAt: new Date().toISOString(),
    requestIp: '203.0.113.7',
    route: '/v1/batch',
    reason: 'batch[0].event: required for type "track"',
    index: 0,
    messageId: randomUUID(),
    raw: '{"type":"track"}',
    rawEncoding: 'utf8',
    ...fields,
  };
  return encodeLogRecord(record);
}

/** A fresh data directory with its local log; `cleanup` closes and deletes it. */
export async function tempDataDir(): Promise<{ dataDir: string; log: EventLog; cleanup(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-loader-test-'));
  const log = await createEventLog({ backend: 'local', dir: join(dataDir, 'log'), minFreeDiskBytes: 0 });
  return {
    dataDir,
    log,
    cleanup: async () => {
      await log.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads a lake table with timestamps and dates as ISO text, ordered by log position. */
export async function readTable(
  dataDir: string,
  table: string,
  columns = '*',
  tail = 'ORDER BY log_partition, log_offset',
): Promise<Record<string, unknown>[]> {
  const sql = await createDuckDB();
  try {
    const t = await DeltaTable.open(lakeTablePath(dataDir, table), { sql });
    const plan = await t.scan();
    const rows = await sql.all(`SELECT ${columns} FROM (${plan.sql}) ${tail}`);
    return rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
  } finally {
    sql.close();
  }
}
