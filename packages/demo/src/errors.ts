// Typed errors of the demo generator and its live sender, so callers (the CLI, `lens up --demo`) can tell a
// bad option from a collector that keeps refusing events without matching on message text.
import { LensError } from '@lens/protocol';

/** An option passed to the generator or the sender is out of range; the message names the option. */
export class DemoOptionError extends LensError {}

/**
 * A batch could not be delivered: the collector answered with a non-retriable status (400, 401, 413…) or
 * retries were exhausted. `retriable` says whether trying again later could help.
 */
export class DemoDeliveryError extends LensError {}

/** Throws a `DemoOptionError` unless `value` is a finite number within [min, max]. */
export function requireNumber(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new DemoOptionError(`${name}: must be a number from ${min} to ${max}, got ${String(value)}`, {
      context: { option: name, value },
    });
  }
  return value;
}
