// Every insight kind the engine serves, in the order the API documents them.
import type { InsightKind } from './insight-kind.js';
import { funnels } from './funnels.js';
import { retention } from './retention.js';
import { trends } from './trends.js';

/** All kinds, by name. */
export const INSIGHT_KINDS: readonly InsightKind[] = [trends, funnels, retention];
