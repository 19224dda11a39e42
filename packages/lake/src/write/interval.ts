// Parses Delta's interval table properties (`interval 7 days`, `interval 168 hours`) into milliseconds.
import { InvalidInputError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/** Milliseconds of an `interval N unit` string. */
export function parseInterval(text: string): number {
  const m = /^\s*(?:interval\s+)?(\d+)\s+([a-z]+?)s?\s*$/i.exec(text);
  const unit = m ? UNIT_MS[(m[2] as string).toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new InvalidInputError(`cannot parse interval ${JSON.stringify(text)}`, { value: text });
  return Number(m[1]) * unit;
}
