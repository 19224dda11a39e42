// The context every browser event carries, as analytics.js and RudderStack capture it: page, campaign
// (UTM), userAgent, locale, timezone, screen and library. Built off the call path, from a snapshot taken at call.
import type { JsonObject } from '../core/types.js';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../core/version.js';

/** What a call records synchronously (cheap): when, and which page it was made on. */
export interface PageSnapshot {
  ts: number;
  href: string;
  title: string;
}

/** `context.page` and the default page() properties; the URL without its fragment, as analytics.js sends it. */
export function pageProperties(snap: PageSnapshot): {
  path: string;
  referrer: string;
  search: string;
  title: string;
  url: string;
} {
  const url = new URL(snap.href);
  return {
    path: url.pathname,
    referrer: document.referrer,
    search: url.search,
    title: snap.title,
    url: url.href.split('#')[0]!,
  };
}

/** `context.campaign` from utm_* parameters (utm_campaign → name), undefined when there are none. */
export function campaign(search: string): JsonObject | undefined {
  let out: JsonObject | undefined;
  new URLSearchParams(search).forEach((value, key) => {
    if (!key.startsWith('utm_')) return;
    const field = key.slice(4);
    (out ??= {})[field === 'campaign' ? 'name' : field] = value;
  });
  return out;
}

let staticContext: JsonObject | undefined;
let lastPage: { href: string; title: string; page: JsonObject; utm: JsonObject | undefined } | undefined;

/** The context of an event made at `snap` (the parts that cannot change during a visit are computed once). */
export function browserContext(snap: PageSnapshot): JsonObject {
  staticContext ??= {
    library: { name: LIBRARY_NAME, version: LIBRARY_VERSION },
    userAgent: navigator.userAgent,
    locale: navigator.language,
    timezone: safeTimezone(),
  };
  // Most events of a visit share their page: parse its URL once (URL and URLSearchParams dominate the cost).
  if (lastPage?.href !== snap.href || lastPage.title !== snap.title) {
    const page = pageProperties(snap);
    lastPage = { href: snap.href, title: snap.title, page, utm: campaign(page.search) };
  }
  const { page, utm } = lastPage;
  return {
    ...staticContext,
    page: { ...page },
    ...(utm ? { campaign: { ...utm } } : {}),
    screen: {
      width: screen.width,
      height: screen.height,
      density: devicePixelRatio,
      innerWidth: innerWidth,
      innerHeight: innerHeight,
    },
  };
}

function safeTimezone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
