// Turns a recorded analytics.js-style call (its arguments in any of the accepted forms) into a tracking event
// with identity, context and timestamps. Runs off the call path, in the tracker's deferred drain.
import { uuid } from '../core/message-id.js';
import type { CallOptions, JsonObject, TrackingEvent } from '../core/types.js';
import type { IdentityStore } from './identity-store.js';
import { browserContext, pageProperties, type PageSnapshot } from './page-context.js';

/** A call as recorded synchronously: method, raw arguments, and the page snapshot. */
export interface RecordedCall {
  m: string;
  args: unknown[];
  snap: PageSnapshot;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;

/**
 * The event for a call, `undefined` for calls that send nothing (reset, setAnonymousId), or `null` when the arguments are
 * invalid (a track without a name): counted as dropped, never thrown into the page.
 */
export function buildEvent(call: RecordedCall, identity: IdentityStore): TrackingEvent | null | undefined {
  const a = call.args;
  let fields: Partial<TrackingEvent>;
  let options: unknown;
  switch (call.m) {
    case 'track':
      if (!str(a[0])) return null;
      fields = { event: str(a[0]), properties: isObject(a[1]) ? a[1] : {} };
      options = a[2];
      break;
    case 'page': {
      // page([category], [name], [properties], [options]), as analytics.js accepts it.
      const [category, name, rest] =
        typeof a[1] === 'string'
          ? [a[0], a[1], a.slice(2)]
          : [undefined, isObject(a[0]) ? undefined : a[0], isObject(a[0]) ? a : a.slice(1)];
      const props = isObject(rest[0]) ? rest[0] : {};
      fields = {
        ...(str(name) ? { name: str(name) } : {}),
        ...(str(category) ? { category: str(category) } : {}),
        properties: { ...pageProperties(call.snap), ...props },
      };
      options = rest[1];
      break;
    }
    case 'screen':
      fields = { name: str(a[0]) ?? null, properties: isObject(a[1]) ? a[1] : {} };
      options = a[2];
      break;
    case 'identify': {
      const [userId, traits, opts] = isObject(a[0]) ? [undefined, a[0], a[1]] : [str(a[0]), a[1], a[2]];
      identity.identify(userId, isObject(traits) ? traits : undefined);
      fields = { traits: { ...identity.traits } };
      options = opts;
      break;
    }
    case 'group':
      if (!str(a[0])) return null;
      fields = { groupId: str(a[0]), traits: isObject(a[1]) ? a[1] : {} };
      options = a[2];
      break;
    case 'alias': {
      const to = str(a[0]);
      if (!to) return null;
      fields = { userId: to, previousId: str(a[1]) ?? identity.userId ?? identity.anonymousId };
      options = a[2];
      break;
    }
    case 'reset':
      identity.reset();
      return undefined;
    case 'setAnonymousId':
      if (str(a[0])) identity.setAnonymousId(str(a[0])!);
      return undefined;
    default:
      return null;
  }
  const opts: CallOptions = isObject(options) ? options : {};
  const context: JsonObject = {
    ...browserContext(call.snap),
    ...(Object.keys(identity.traits).length ? { traits: identity.traits } : {}),
    ...opts.context,
  };
  const explicit = opts.timestamp === undefined ? undefined : new Date(opts.timestamp).toISOString();
  return {
    type: call.m as TrackingEvent['type'],
    messageId: opts.messageId ?? uuid(),
    anonymousId: opts.anonymousId ?? identity.anonymousId,
    ...(identity.userId !== null ? { userId: identity.userId } : {}),
    ...fields,
    context,
    ...(opts.integrations ? { integrations: opts.integrations } : {}),
    // The collector corrects the client's clock from originalTimestamp and sentAt; an explicit timestamp is kept.
    originalTimestamp: new Date(call.snap.ts).toISOString(),
    ...(explicit ? { timestamp: explicit } : {}),
  };
}
