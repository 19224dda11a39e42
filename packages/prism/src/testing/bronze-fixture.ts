// Test and benchmark data: demo events as bronze.events rows (the loader's column mapping, simplified),
// written to a bronze.events table in a data directory in as many commits as asked.
import { BOT_USER_AGENTS, generateEvents, type GenerateOptions } from '@lens/demo';
import { DeltaTable } from '@lens/lake';
import { EVENTS_COLUMNS, lakeTablePath } from '@lens/loader';

/** A bronze.events row as the loader writes it (JSON columns as text, timestamps ISO-8601). */
export type BronzeRow = Record<string, string | number | boolean | null>;

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

/** Demo events (malformed ones left out, as the collector rejects them) mapped to bronze rows. */
export function* bronzeRows(options: GenerateOptions): Generator<BronzeRow> {
  let offset = 0;
  for (const e of generateEvents(options) as Iterable<Record<string, any>>) {
    if (e['_demoMalformed'] !== undefined) continue;
    const ts = new Date(e['timestamp']).toISOString();
    const received = new Date(e['sentAt'] ?? e['timestamp']).toISOString();
    const ua = String(e['context']?.['userAgent'] ?? '');
    yield {
      message_id: String(e['messageId']),
      source_id: e['context']?.['app'] ? 'app' : 'web',
      type: String(e['type']),
      event: str(e['event']),
      name: str(e['name']),
      category: str(e['category']),
      user_id: str(e['userId']),
      anonymous_id: str(e['anonymousId']),
      group_id: str(e['groupId']),
      previous_id: str(e['previousId']),
      timestamp: ts,
      original_timestamp: null,
      sent_at: str(e['sentAt']),
      received_at: received,
      context: json(e['context']),
      properties: json(e['properties']),
      traits: json(e['traits']),
      integrations: null,
      extra: null,
      request_ip: null,
      is_bot: BOT_USER_AGENTS.some((b) => ua.includes(b)),
      log_partition: 0,
      log_offset: offset++,
      event_date: ts.slice(0, 10),
    };
  }
}

/** Creates bronze.events under `dataDir` (if missing) and appends `rows` as one commit. */
export async function appendBronze(dataDir: string, rows: readonly BronzeRow[]): Promise<number> {
  const table = await DeltaTable.open(lakeTablePath(dataDir, 'bronze.events'));
  if (
    !(await table.snapshot().then(
      () => true,
      () => false,
    ))
  ) {
    await table.create({ columns: EVENTS_COLUMNS, partitionColumns: ['event_date'], name: 'bronze.events' });
  }
  return (await table.append({ rows })).version;
}
