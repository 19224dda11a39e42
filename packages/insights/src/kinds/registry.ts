// Every insight kind the engine serves, in the order the API documents them.
import { affinity } from './affinity.js';
import { funnels } from './funnels.js';
import type { InsightKind } from './insight-kind.js';
import { lifecycle } from './lifecycle.js';
import { paths } from './paths.js';
import { retention } from './retention.js';
import { search } from './search.js';
import { stickiness } from './stickiness.js';
import { trends } from './trends.js';

/** All kinds, by name. */
export const INSIGHT_KINDS: readonly InsightKind[] = [
  trends,
  funnels,
  retention,
  paths,
  stickiness,
  lifecycle,
  affinity,
  search,
];
