// One visit of one person, as the ordered events their SDK sends: entry (referrer, campaign, login), a chain
// of article reads linked by recommendations, searches and site navigation, registration when it is due,
// and, rarely, a deliberately malformed copy of an event. Bots crawl instead of reading.
import type { JsonObject } from '@lens/protocol';
import type { Article } from './article-catalog.js';
import { viewArticle, type Via } from './article-view.js';
import { EventFactory, type LabelledEvent } from './event-factory.js';
import { loginIfNeeded, registerReader, registrationRoute } from './identity-calls.js';
import { type SECTIONS, SITES, siteOf } from './media-group.js';
import { malformedCopy } from './malformed-events.js';
import { navigate } from './navigation.js';
import type { Device, Person } from './person.js';
import { BOTS, MALFORMED_RATE } from './planted-truths.js';
import type { SessionWorld } from './session-world.js';

const ENTRIES: readonly { weight: number; referrer: string; campaign?: JsonObject }[] = [
  { weight: 0.35, referrer: '' },
  { weight: 0.3, referrer: 'https://www.google.com/' },
  { weight: 0.08, referrer: 'https://www.facebook.com/' },
  { weight: 0.07, referrer: 'https://t.co/' },
  { weight: 0.1, referrer: '', campaign: { source: 'newsletter', medium: 'email', name: 'daily-digest' } },
  { weight: 0.1, referrer: 'https://news.google.com/' },
];
const MAX_READS_PER_SESSION = 60;

/** Simulates one session of `person` starting at `start`; `campaign` overrides the entry's UTM tags. */
export function simulateSession(
  world: SessionWorld,
  person: Person,
  start: number,
  campaign?: JsonObject,
): LabelledEvent[] {
  person.sessions++;
  const events = person.bot ? botSession(world, person, start) : readerSession(world, person, start, campaign);
  return withMalformed(events, person);
}

function readerSession(
  world: SessionWorld,
  person: Person,
  start: number,
  forcedCampaign: JsonObject | undefined,
): LabelledEvent[] {
  const rng = person.rng;
  const device = chooseDevice(person);
  let entry = ENTRIES[0] as (typeof ENTRIES)[number];
  for (let r = rng.next(), i = 0; i < ENTRIES.length; i++)
    if ((r -= (entry = ENTRIES[i] as typeof entry).weight) < 0) break;
  const f = new EventFactory(person, device, forcedCampaign ?? entry.campaign);
  let t = loginIfNeeded(f, person, device, start);
  const section = world.preference[person.segment].sample(rng);
  let referrer = entry.referrer;
  let via: Via = referrer === '' && entry.campaign === undefined ? 'direct' : 'external';
  if (rng.chance(0.3)) {
    t = frontPage(f, person, device, section, t, referrer);
    referrer = `https://${siteOf(section).domain}/`;
    via = 'front';
  }
  let article: Article = world.catalog.pick(section, t, rng);
  const registersNow = person.userId === undefined && person.sessions === person.registerAtSession;
  for (let reads = 0; reads < MAX_READS_PER_SESSION; reads++) {
    let readEnd = viewArticle(f, person, device, article, t, referrer, via);
    if (reads === 0 && registersNow && person.userId === undefined) {
      readEnd = registerReader(
        f,
        person,
        device,
        Math.max(readEnd, person.lastEventAt + 200),
        registrationRoute(person),
      );
    }
    const next = navigate(f, world, person, article, readEnd);
    if (next === undefined) break;
    ({ article, time: t, via, referrer } = next);
  }
  return f.events;
}

function frontPage(
  f: EventFactory,
  person: Person,
  device: Device,
  section: (typeof SECTIONS)[number],
  time: number,
  referrer: string,
): number {
  const site = siteOf(section);
  if (device.kind === 'ios_app' || device.kind === 'android_app') {
    f.emit('screen', time, { name: 'Home', properties: { tab: 'top-stories' } });
  } else {
    const page = { url: `https://${site.domain}/`, path: '/', title: site.name, referrer, search: '' };
    f.setPage(page);
    f.emit('page', time, { name: 'Home', category: 'front', properties: { ...page } });
  }
  return time + 3000 + person.rng.int(20_000);
}

function chooseDevice(person: Person): Device {
  const devices = person.devices;
  if (devices.length === 1 || person.rng.chance(0.5)) return devices[0] as Device;
  return devices[1 + person.rng.int(devices.length - 1)] as Device;
}

function botSession(world: SessionWorld, person: Person, start: number): LabelledEvent[] {
  const rng = person.rng;
  const device = person.devices[0] as Device;
  const f = new EventFactory(person, device, undefined);
  const [minPages, maxPages] = BOTS.pagesPerCrawl;
  const [minGap, maxGap] = BOTS.secondsBetweenPages;
  const site = rng.pick(SITES);
  let t = start;
  for (let i = rng.between(minPages, maxPages); i > 0; i--) {
    const article = world.catalog.pick(rng.pick(site.sections), t, rng);
    const page = { url: article.url, path: article.path, title: article.title, referrer: '', search: '' };
    f.setPage(page);
    f.emit('page', t, { name: 'Article', category: article.section, properties: { ...page, article_id: article.id } });
    f.track(t + 20, 'Article Viewed', {
      article_id: article.id,
      title: article.title,
      section: article.section,
      site: article.site,
      author: article.author,
      scroll_depth: 0,
      read_time_s: 0,
      subscriber: false,
      via: 'direct',
    });
    t += Math.floor((minGap + rng.next() * (maxGap - minGap)) * 1000) + 20;
  }
  return f.events;
}

function withMalformed(events: LabelledEvent[], person: Person): LabelledEvent[] {
  const out: LabelledEvent[] = [];
  for (const labelled of events) {
    out.push(labelled);
    if (person.rng.chance(MALFORMED_RATE)) out.push(malformedCopy(labelled, person));
  }
  return out;
}
