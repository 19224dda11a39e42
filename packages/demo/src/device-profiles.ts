// The devices people read on and the `context` each one's SDK sends: analytics.js on desktop and mobile web,
// analytics-ios / analytics-android in the group's app, and crawler user agents for bots. The static part of
// a device's context is built once and shared by its events (treat event contexts as read-only).
import { APP } from './media-group.js';
import type { Random } from './random.js';

export type DeviceKind = 'desktop_web' | 'mobile_web' | 'ios_app' | 'android_app' | 'bot';

/** Where a person lives: it sets locale, timezone and the local hours they read at. */
export interface Locality {
  readonly country: string;
  readonly locale: string;
  readonly timezone: string;
  /** Offset of local time from UTC in hours (winter time; good enough for a daily rhythm). */
  readonly utcOffset: number;
}

export const LOCALITIES: readonly Locality[] = [
  { country: 'GB', locale: 'en-GB', timezone: 'Europe/London', utcOffset: 0 },
  { country: 'IE', locale: 'en-IE', timezone: 'Europe/Dublin', utcOffset: 0 },
  { country: 'US', locale: 'en-US', timezone: 'America/New_York', utcOffset: -5 },
  { country: 'DE', locale: 'de-DE', timezone: 'Europe/Berlin', utcOffset: 1 },
  { country: 'FR', locale: 'fr-FR', timezone: 'Europe/Paris', utcOffset: 1 },
  { country: 'NL', locale: 'nl-NL', timezone: 'Europe/Amsterdam', utcOffset: 1 },
  { country: 'AU', locale: 'en-AU', timezone: 'Australia/Sydney', utcOffset: 11 },
];
/** Relative weights of LOCALITIES (a UK-centred group with readers abroad). */
export const LOCALITY_WEIGHTS = [0.55, 0.08, 0.15, 0.07, 0.05, 0.05, 0.05];

const DESKTOP_UA = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67',
];
const MOBILE_UA = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.6312.118 Mobile Safari/537.36',
];
/** Crawler and scraper user agents; analyses should recognise them as bots. */
export const BOT_USER_AGENTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36',
  'python-requests/2.31.0',
];
const IPHONES = ['iPhone14,5', 'iPhone15,2', 'iPhone15,4', 'iPhone16,1'];
const ANDROIDS: readonly (readonly [string, string])[] = [
  ['Samsung', 'SM-S911B'],
  ['Google', 'Pixel 8'],
  ['Samsung', 'SM-A546B'],
  ['Xiaomi', '23049PCD8G'],
];
const WEB_LIBRARY = { name: 'analytics.js', version: 'npm:next-1.70.0' };

/** True for the kinds that send `screen` calls from the app rather than `page` calls from a browser. */
export function isApp(kind: DeviceKind): boolean {
  return kind === 'ios_app' || kind === 'android_app';
}

/** The static context of one device (everything but page, campaign and per-event fields). */
export function deviceContext(kind: DeviceKind, locality: Locality, rng: Random): Record<string, unknown> {
  // Documentation address ranges (RFC 5737 / RFC 3849): realistic in shape, never a real reader.
  const ip =
    kind === 'mobile_web' && rng.chance(0.3)
      ? `2001:db8:${rng.hex(4)}::${rng.hex(4)}`
      : `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.between(1, 254)}`;
  const common = { locale: locality.locale, timezone: locality.timezone, ip };
  switch (kind) {
    case 'desktop_web':
      return {
        ...common,
        userAgent: rng.pick(DESKTOP_UA),
        library: WEB_LIBRARY,
        screen: rng.pick([
          { width: 1920, height: 1080, density: 1 },
          { width: 1440, height: 900, density: 2 },
          { width: 2560, height: 1440, density: 1 },
        ]),
      };
    case 'mobile_web':
      return {
        ...common,
        userAgent: rng.pick(MOBILE_UA),
        library: WEB_LIBRARY,
        screen: rng.pick([
          { width: 390, height: 844, density: 3 },
          { width: 412, height: 915, density: 2.625 },
        ]),
      };
    case 'bot':
      return {
        ...common,
        userAgent: rng.pick(BOT_USER_AGENTS),
        library: WEB_LIBRARY,
        screen: { width: 800, height: 600, density: 1 },
      };
    case 'ios_app':
      return {
        ...common,
        app: { name: APP.name, version: APP.version, build: APP.build, namespace: APP.namespace },
        device: { type: 'ios', manufacturer: 'Apple', model: rng.pick(IPHONES), id: rng.hex(8) + rng.hex(8) },
        os: { name: 'iOS', version: rng.pick(['17.4.1', '17.5', '16.7.8']) },
        screen: { width: 390, height: 844, density: 3 },
        network: { wifi: rng.chance(0.6), cellular: true },
        library: { name: 'analytics-ios', version: '4.1.8' },
      };
    case 'android_app': {
      const [manufacturer, model] = rng.pick(ANDROIDS);
      return {
        ...common,
        app: { name: APP.name, version: APP.version, build: APP.build, namespace: APP.namespace },
        device: { type: 'android', manufacturer, model, id: rng.hex(8) + rng.hex(8) },
        os: { name: 'Android', version: rng.pick(['14', '13', '12']) },
        screen: { width: 1080, height: 2340, density: 2.625 },
        network: { wifi: rng.chance(0.6), cellular: true },
        library: { name: 'analytics-android', version: '4.11.3' },
      };
    }
  }
}
