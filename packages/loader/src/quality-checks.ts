// The loader's quality checks on an accepted event: an implausible timestamp (corrected to receivedAt or
// quarantined), an oversized JSON column (quarantined). Pure functions returning values, so a replay after a
// crash reaches the same verdict: every check is relative to the event's own receivedAt, never to "now".
import type { LoaderQualityConfig } from '@lens/protocol';
import { parseTimestampMs } from '@lens/protocol';

/** Why a check failed; stable codes for metrics and tests. */
export type QualityCode = 'timestamp_in_future' | 'timestamp_too_old' | 'timestamp_invalid' | 'json_column_too_large';

/** The verdict on an event's timestamp. */
export type TimestampVerdict =
  | { kind: 'ok'; timestamp: string }
  | { kind: 'corrected'; timestamp: string; from: string | null; code: QualityCode; reason: string }
  | { kind: 'quarantine'; code: QualityCode; reason: string };

const DAY_MS = 86_400_000;

/**
 * Checks `timestamp` against `receivedAt` (both ISO-8601). Outside [receivedAt − maxPastDays,
 * receivedAt + maxFutureSeconds] the configured action applies; an unparseable timestamp is always corrected.
 */
export function checkTimestamp(
  timestamp: string | undefined,
  receivedAt: string,
  receivedMs: number,
  config: LoaderQualityConfig,
): TimestampVerdict {
  const ms = typeof timestamp === 'string' ? parseTimestampMs(timestamp) : Number.NaN;
  if (Number.isNaN(ms)) {
    return {
      kind: 'corrected',
      timestamp: receivedAt,
      from: null,
      code: 'timestamp_invalid',
      reason: `timestamp: ${JSON.stringify(timestamp ?? null)} is not a valid time`,
    };
  }
  let code: QualityCode | undefined;
  let reason = '';
  if (ms - receivedMs > config.maxFutureSeconds * 1000) {
    code = 'timestamp_in_future';
    reason = `timestamp: ${timestamp} is ${Math.round((ms - receivedMs) / 1000)} s after receivedAt ${receivedAt} (limit ${config.maxFutureSeconds} s)`;
  } else if (receivedMs - ms > config.maxPastDays * DAY_MS) {
    code = 'timestamp_too_old';
    reason = `timestamp: ${timestamp} is ${Math.floor((receivedMs - ms) / DAY_MS)} days before receivedAt ${receivedAt} (limit ${config.maxPastDays} days)`;
  }
  if (code === undefined) return { kind: 'ok', timestamp: timestamp! };
  if (config.timestampAction === 'quarantine') return { kind: 'quarantine', code, reason };
  return { kind: 'corrected', timestamp: receivedAt, from: timestamp!, code, reason };
}

/** Returns the first JSON column whose text exceeds the limit, as a quarantine reason, or undefined. */
export function checkJsonColumns(
  columns: Readonly<Record<string, string | null>>,
  maxBytes: number,
): { code: QualityCode; reason: string } | undefined {
  for (const [name, text] of Object.entries(columns)) {
    // UTF-8 is at most 3 bytes per UTF-16 unit: short strings skip the exact (slower) byte count.
    if (text === null || text.length * 3 <= maxBytes) continue;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes)
      return { code: 'json_column_too_large', reason: `${name}: ${bytes} bytes of JSON (limit ${maxBytes})` };
  }
  return undefined;
}
