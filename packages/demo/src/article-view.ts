// One article read: the page or screen view, `Article Viewed` with scroll depth and read time, and what can
// happen on the article: the paywall (and a subscription), a video play. The funnel step rates live here.
import type { Article } from './article-catalog.js';
import type { EventFactory } from './event-factory.js';
import { registerReader } from './identity-calls.js';
import type { Device, Person } from './person.js';
import { FUNNEL, VIDEO } from './planted-truths.js';

/** How the reader reached the article, as sent in `Article Viewed.via`. */
export type Via = 'external' | 'direct' | 'recommendation' | 'search' | 'front';

const PLANS = [
  { plan: 'digital-monthly', price: 9.99 },
  { plan: 'digital-annual', price: 99 },
  { plan: 'digital-trial', price: 1 },
] as const;

/** Emits one article view starting at `time`; returns when the reader finished it (epoch ms). */
export function viewArticle(
  f: EventFactory,
  person: Person,
  device: Device,
  article: Article,
  time: number,
  referrer: string,
  via: Via,
): number {
  const rng = person.rng;
  const page = { url: article.url, path: article.path, title: article.title, referrer, search: '' };
  f.setPage(page);
  if (f.isApp)
    f.emit('screen', time, {
      name: 'Article',
      properties: { article_id: article.id, section: article.section, title: article.title, url: article.url },
    });
  else
    f.emit('page', time, {
      name: 'Article',
      category: article.section,
      properties: { ...page, article_id: article.id },
    });

  const subscriber = person.subscriber;
  const paywalled = !subscriber && rng.chance(FUNNEL.paywallPerArticleView);
  const subscribes = paywalled && rng.chance(FUNNEL.subscribePerPaywall);
  let readTime = Math.min(900, Math.max(3, rng.logNormal(45, 0.8)));
  if (paywalled && !subscribes) readTime = 4 + rng.next() * 11; // stopped by the paywall
  const scroll = readTime < 10 ? 25 : readTime < 40 ? 50 : readTime < 120 ? 75 : 100;
  let t = time + 150;
  f.track(t, 'Article Viewed', {
    article_id: article.id,
    title: article.title,
    section: article.section,
    site: article.site,
    author: article.author,
    tags: [...article.tags],
    published_at: new Date(article.publishedAt).toISOString(),
    scroll_depth: scroll,
    read_time_s: Math.round(readTime),
    subscriber,
    via,
  });
  if (paywalled) {
    t += 1000;
    f.track(t, 'Paywall Shown', {
      article_id: article.id,
      section: article.section,
      paywall_id: 'metered-v3',
      reason: 'meter_exhausted',
    });
    if (subscribes) {
      t += 20_000 + rng.int(100_000);
      const { plan, price } = rng.pick(PLANS);
      f.track(t, 'Subscription Started', {
        article_id: article.id,
        paywall_id: 'metered-v3',
        plan,
        price,
        currency: 'GBP',
      });
      person.subscriber = true;
      t += 500;
      if (person.userId === undefined) t = registerReader(f, person, device, t, 'subscription');
      else f.emit('identify', t, { userId: person.userId, traits: { subscriber: true, subscription_plan: plan } });
    }
  }
  if (article.hasVideo && rng.chance(VIDEO.playRate)) {
    t += 2000 + rng.int(8000);
    f.track(t, 'Video Played', {
      video_id: `v-${article.id}`,
      article_id: article.id,
      duration_s: 60 + rng.int(480),
      autoplay: rng.chance(0.2),
    });
  }
  return Math.max(t + 500, time + readTime * 1000);
}
