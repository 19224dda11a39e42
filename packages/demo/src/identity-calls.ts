// The identity calls of a session: login on a new device (`identify`), registration through the newsletter
// (`Newsletter Signed Up` + `identify`) or an account (`alias` + `identify`), and corporate plans (`group`).
// They are what lets an analysis stitch a person's anonymous devices to one userId.
import type { Device, Person } from './person.js';
import { register } from './person.js';
import type { EventFactory } from './event-factory.js';
import { IDENTITY } from './planted-truths.js';

const ORGANISATIONS = [
  'Halden Capital',
  'Brightwater Energy',
  'Marlow & Finch LLP',
  'Corvid Logistics',
  'Tessellate Software',
  'Ashgrove Health',
  'Kestrel Insurance',
  'Pallas Consulting',
];
const NEWSLETTERS: Readonly<Record<string, string>> = {
  news_junkie: 'morning-briefing',
  sports_fan: 'matchday',
  lifestyle_reader: 'weekend-table',
  business_pro: 'markets-close',
};

function traits(person: Person): Record<string, unknown> {
  return {
    email: `reader${person.index}@example.com`,
    locale: person.locality.locale,
    country: person.locality.country,
    subscriber: person.subscriber,
  };
}

/** The first session on a device after registering starts with a login. Returns the time after it. */
export function loginIfNeeded(f: EventFactory, person: Person, device: Device, time: number): number {
  if (person.userId === undefined || device.loggedIn) return time;
  device.loggedIn = true;
  f.emit('identify', time, { userId: person.userId, traits: traits(person) });
  return time + 400;
}

/** Registers an anonymous reader on this device; `route` decides the calls. Returns the time after them. */
export function registerReader(
  f: EventFactory,
  person: Person,
  device: Device,
  time: number,
  route: 'newsletter' | 'account' | 'subscription',
): number {
  let t = time;
  if (route === 'newsletter') {
    f.track(t, 'Newsletter Signed Up', {
      newsletter: NEWSLETTERS[person.segment] ?? 'morning-briefing',
      source: 'article_inline',
    });
    t += 300;
  }
  const userId = register(person);
  device.loggedIn = true;
  if (route !== 'newsletter') {
    f.emit('alias', t, { userId, previousId: device.anonymousId });
    t += 200;
  }
  f.emit('identify', t, {
    userId,
    traits: { ...traits(person), created_at: new Date(t).toISOString(), signup_route: route },
  });
  t += 300;
  if (person.corporate) {
    const org = person.index % ORGANISATIONS.length;
    f.emit('group', t, {
      userId,
      groupId: `org-${org + 1}`,
      traits: { name: ORGANISATIONS[org], plan: 'corporate', employees: 50 + org * 120 },
    });
    t += 200;
  }
  return t;
}

/** Picks the registration route of a reader who registers in this session. */
export function registrationRoute(person: Person): 'newsletter' | 'account' {
  return person.rng.chance(IDENTITY.newsletterRouteShare) ? 'newsletter' : 'account';
}
