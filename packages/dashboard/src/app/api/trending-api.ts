// GET /api/trending: articles ranked by time-decayed views over the last N minutes (seconds fresh, from
// bronze.events), with velocity against each article's own baseline; per site and section.
import { apiGet, parseResponse } from './api-client';

/** Mirrors @lens/insights' TrendingArticle. */
export interface TrendingArticle {
  articleId: string;
  site: string | null;
  section: string | null;
  views: number;
  score: number;
  baselineViewsPerHour: number;
  velocity: number;
}
/** Mirrors @lens/insights' TrendingResult. */
export interface TrendingResult {
  now: string;
  minutes: number;
  articles: TrendingArticle[];
  bronzeVersion: number;
}

/** Query parameters the Realtime view sends. */
export interface TrendingParams {
  minutes: number;
  site?: string;
  section?: string;
  limit?: number;
  now?: string;
}

/** The query string of a trending request. */
export function trendingPath(p: TrendingParams): string {
  const q = new URLSearchParams({ minutes: String(p.minutes), limit: String(p.limit ?? 20) });
  if (p.site) q.set('site', p.site);
  if (p.section) q.set('section', p.section);
  if (p.now) q.set('now', p.now);
  return `/api/trending?${q.toString()}`;
}

declare global {
  interface Window {
    __lensEarlyFetch?: { path: string; response: Promise<Response> };
  }
}

/** Fetches the trending articles; the first call may take over the request index.html started early. */
export async function fetchTrending(p: TrendingParams, signal?: AbortSignal): Promise<TrendingResult> {
  const path = trendingPath(p);
  const early = window.__lensEarlyFetch;
  if (early) {
    window.__lensEarlyFetch = undefined;
    if (early.path === path) {
      try {
        return await parseResponse<TrendingResult>(await early.response);
      } catch {
        /* fall back to asking again */
      }
    }
  }
  return apiGet<TrendingResult>(path, signal);
}
