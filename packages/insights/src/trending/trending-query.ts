// The "trending now" query: articles ranked by time-decayed views over the last N minutes, with velocity
// against each article's own baseline, per site and section.
import { z } from 'zod';

export const TrendingQuery = z
  .object({
    /** The recent window. */
    minutes: z.coerce.number().int().min(1).max(1440).default(60),
    /** A view's weight halves every this many minutes. */
    halfLifeMinutes: z.coerce.number().positive().max(1440).default(15),
    /** The article's baseline: its views per hour in the hours before the window. */
    baselineHours: z.coerce.number().int().min(1).max(168).default(24),
    site: z.string().max(200).optional(),
    section: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(20),
    /** The instant "now" stands for (replays and tests); the server clock by default. */
    now: z.string().datetime({ offset: true }).optional(),
  })
  .strict();
export type TrendingQuery = z.infer<typeof TrendingQuery>;

/** One trending article. */
export interface TrendingArticle {
  articleId: string;
  site: string | null;
  section: string | null;
  views: number;
  /** Sum of 2^(−age/half-life) over the window's views. */
  score: number;
  baselineViewsPerHour: number;
  /** Views per hour in the window over (baseline views per hour + 1 view per baseline period). */
  velocity: number;
}

export interface TrendingResult {
  now: string;
  minutes: number;
  articles: TrendingArticle[];
  /** bronze.events version the answer reflects. */
  bronzeVersion: number;
}
