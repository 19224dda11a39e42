// What a reader does after an article: click a recommendation, search, go on through the site, or leave.
// The next article's section always follows the planted affinity row of the current one, whichever path
// the reader takes, so co-reading structure is the same for clicks, searches and direct navigation.
import type { Article } from './article-catalog.js';
import type { Via } from './article-view.js';
import type { EventFactory } from './event-factory.js';
import type { Person } from './person.js';
import { RECOMMENDATIONS, SEARCH, SEGMENTS } from './planted-truths.js';
import type { SessionWorld } from './session-world.js';

/** The next article a reader opens, when and how. */
export interface NextRead {
  readonly article: Article;
  readonly time: number;
  readonly via: Via;
  readonly referrer: string;
}

/** Emits the navigation events after `current` (read until `readEnd`); undefined when the session ends. */
export function navigate(
  f: EventFactory,
  world: SessionWorld,
  person: Person,
  current: Article,
  readEnd: number,
): NextRead | undefined {
  const rng = person.rng;
  const section = world.affinity[current.section].sample(rng);
  let t = Math.max(readEnd, person.lastEventAt + 100);
  if (rng.chance(RECOMMENDATIONS.shownPerArticleView)) {
    const list = world.recommendationLists.sample(rng);
    const clicked = rng.chance(RECOMMENDATIONS.clickThroughRate[list]);
    const target = world.catalog.pick(section, t, rng);
    const items = recommendationItems(world, rng.int(RECOMMENDATIONS.itemsPerList), target, current, t, person);
    const shown = f.track(t, 'Recommendation Shown', {
      list_id: list,
      source_article_id: current.id,
      article_ids: items,
      model: `${list}-v2`,
    });
    if (clicked) {
      t += 2000 + rng.int(8000);
      const position = items.indexOf(target.id) + 1;
      f.track(t, 'Recommendation Clicked', {
        list_id: list,
        article_id: target.id,
        position,
        recommendation_id: shown.messageId ?? null,
      });
      return { article: target, time: t + 300, via: 'recommendation', referrer: current.url };
    }
  }
  if (!rng.chance(SEGMENTS[person.segment].continueRate)) return undefined;
  t += 3000 + rng.int(15_000);
  const target = world.catalog.pick(section, t, rng);
  if (rng.chance(SEARCH.perNavigation)) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const zero = rng.chance(SEARCH.zeroResultRate);
      const topic = rng.pick(target.tags);
      // Zero-result queries are typos: a doubled letter and a dropped one.
      const query = zero ? `${topic.slice(0, 2)}${topic.slice(1, -1)}` : topic;
      const resultCount = zero ? 0 : 3 + rng.int(240);
      const search = `?q=${encodeURIComponent(query)}`;
      const searchUrl = `https://${new URL(current.url).host}/search${search}`;
      if (!f.isApp) f.setPage({ url: searchUrl, path: '/search', title: 'Search', referrer: current.url, search });
      f.track(t, 'Search Performed', { query, result_count: resultCount });
      t += 4000 + rng.int(10_000);
      if (zero) continue;
      if (rng.chance(SEARCH.clickRate)) {
        const position = 1 + Math.min(resultCount - 1, Math.floor(rng.exponential(2)));
        f.track(t, 'Search Result Clicked', { query, article_id: target.id, position, result_count: resultCount });
        return { article: target, time: t + 300, via: 'search', referrer: f.isApp ? '' : searchUrl };
      }
      break;
    }
  }
  return { article: target, time: t, via: 'direct', referrer: current.url };
}

function recommendationItems(
  world: SessionWorld,
  slot: number,
  target: Article,
  current: Article,
  time: number,
  person: Person,
): string[] {
  const ids = new Set<string>([current.id, target.id]);
  const items: string[] = [];
  for (let tries = 0; items.length < RECOMMENDATIONS.itemsPerList - 1 && tries < 20; tries++) {
    const other = world.catalog.pick(world.affinity[current.section].sample(person.rng), time, person.rng);
    if (!ids.has(other.id)) {
      ids.add(other.id);
      items.push(other.id);
    }
  }
  items.splice(Math.min(slot, items.length), 0, target.id);
  return items;
}
