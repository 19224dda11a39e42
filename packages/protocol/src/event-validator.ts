// Validates one incoming event against the tracking-API schema. Ajv checks shapes and types (compiled once,
// fast on the hot path); the cross-field rules Ajv would report poorly (identity, per-type requirements) are
// checked here so every reason names the field and the problem in plain words.
import { Ajv, type ErrorObject } from 'ajv';
import { EVENT_TYPES, type TrackingEvent } from './event.js';
import { parseTimestampMs } from './timestamp.js';

const identity = { type: ['string', 'number', 'null'], maxLength: 1024 };
/** null is absent (the collector drops it), as for the ids. */
const object = { type: ['object', 'null'] };
/** null is absent (the collector drops it), as for the ids and objects. */
const timestamp = { type: ['string', 'null'], format: 'timestamp' };

/** JSON Schema of an incoming event; unknown top-level fields are allowed and kept. */
export const TRACKING_EVENT_SCHEMA = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: EVENT_TYPES },
    messageId: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
    userId: identity,
    anonymousId: identity,
    groupId: identity,
    previousId: identity,
    event: { type: 'string', maxLength: 1024 },
    name: { type: ['string', 'null'], maxLength: 1024 },
    category: { type: ['string', 'null'], maxLength: 1024 },
    properties: object,
    traits: object,
    context: object,
    integrations: object,
    timestamp,
    originalTimestamp: timestamp,
    sentAt: timestamp,
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addFormat('timestamp', { type: 'string', validate: (value: string) => isParseableTimestamp(value) });
const checkShape = ajv.compile(TRACKING_EVENT_SCHEMA);

/** True for an ISO-8601-style date string that `Date` can parse. */
export function isParseableTimestamp(value: string): boolean {
  return !Number.isNaN(parseTimestampMs(value));
}

/** Stable, low-cardinality codes for why an event was rejected (metrics labels, quarantine filters). */
export type RejectionCode = 'not_object' | 'invalid_field' | 'missing_identity' | 'missing_required' | 'too_large';

export type EventValidation = { ok: true; event: TrackingEvent } | { ok: false; code: RejectionCode; reason: string };

/**
 * Checks one event. `where` prefixes the reason, with `index` as `where[index]`, e.g. `batch[3]` (built only for
 * a reason: the collector checks every event of a batch).
 * @example validateEvent({ type: 'track', userId: 'u1' }, 'event') // { ok: false, reason: 'event.event: required for type "track"' }
 */
export function validateEvent(input: unknown, where = 'event', index?: number): EventValidation {
  const at = (): string => (index === undefined ? where : `${where}[${index}]`);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, code: 'not_object', reason: `${at()}: must be a JSON object, got ${describe(input)}` };
  }
  if (!checkShape(input)) {
    const error = checkShape.errors?.[0];
    const code = error?.keyword === 'required' ? 'missing_required' : 'invalid_field';
    return { ok: false, code, reason: formatAjvError(error, at()) };
  }
  const event = input as TrackingEvent;
  if (isBlank(event.userId) && isBlank(event.anonymousId)) {
    return { ok: false, code: 'missing_identity', reason: `${at()}: needs a userId or an anonymousId` };
  }
  const required = REQUIRED_BY_TYPE[event.type];
  if (required !== undefined && isBlank(event[required])) {
    return { ok: false, code: 'missing_required', reason: `${at()}.${required}: required for type "${event.type}"` };
  }
  return { ok: true, event };
}

const REQUIRED_BY_TYPE: Partial<Record<TrackingEvent['type'], 'event' | 'groupId' | 'previousId'>> = {
  track: 'event',
  group: 'groupId',
  alias: 'previousId',
};

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function formatAjvError(error: ErrorObject | undefined, where: string): string {
  if (error === undefined) return `${where}: invalid`;
  const path = error.instancePath.split('/').slice(1).join('.');
  const at = path === '' ? where : `${where}.${path}`;
  switch (error.keyword) {
    case 'required':
      return `${where}.${String(error.params.missingProperty)}: required`;
    case 'enum':
      return `${at}: must be one of ${EVENT_TYPES.join(', ')}`;
    case 'type':
      return `${at}: must be ${String(error.params.type).replace(/,/g, ' or ')}`;
    case 'format':
      return `${at}: not a parseable ISO-8601 timestamp`;
    case 'maxLength':
      return `${at}: longer than ${String(error.params.limit)} characters`;
    case 'minLength':
      return `${at}: must not be empty`;
    default:
      return `${at}: ${error.message ?? 'invalid'}`;
  }
}
