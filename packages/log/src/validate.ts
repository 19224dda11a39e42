// Argument checks shared by every adapter, so they all reject the same bad input with the same error
// (consumer names become file names in the local adapter, so they are restricted to a safe alphabet).
import { LogArgumentError } from './errors.js';
import { MAX_RECORD_BYTES } from './event-log.js';

const CONSUMER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Throws unless `partition` is a non-negative safe integer. */
export function checkPartition(partition: number): void {
  if (!Number.isSafeInteger(partition) || partition < 0) {
    throw new LogArgumentError(`partition must be a non-negative integer, got ${partition}`, { partition });
  }
}

/** Throws unless `offset` is a non-negative safe integer. */
export function checkOffset(offset: number, what = 'offset'): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new LogArgumentError(`${what} must be a non-negative integer, got ${offset}`, { [what]: offset });
  }
}

/** Throws unless `consumer` is 1–128 letters, digits, `_`, `.` or `-` (not starting with a symbol). */
export function checkConsumer(consumer: string): void {
  if (typeof consumer !== 'string' || !CONSUMER_NAME.test(consumer)) {
    throw new LogArgumentError(`consumer name must match ${CONSUMER_NAME}, got ${JSON.stringify(consumer)}`, {
      consumer,
    });
  }
}

/** Throws unless `values` is a non-empty array of Buffers each at most MAX_RECORD_BYTES. */
export function checkValues(values: readonly Buffer[]): void {
  if (!Array.isArray(values) || values.length === 0) {
    throw new LogArgumentError('append needs at least one value');
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Buffer.isBuffer(value)) throw new LogArgumentError(`values[${i}] is not a Buffer`, { index: i });
    if (value.length > MAX_RECORD_BYTES) {
      throw new LogArgumentError(`values[${i}] is ${value.length} bytes, above the ${MAX_RECORD_BYTES} limit`, {
        index: i,
        bytes: value.length,
      });
    }
  }
}
