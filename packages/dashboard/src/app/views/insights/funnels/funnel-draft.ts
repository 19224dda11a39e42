// The funnel query as the dashboard keeps it (in the URL) and the API request it becomes; shared by the page,
// its builder, the result view and the drop-off persons list.
import type { Breakdown, CommonQuery, EventMatcher } from '../../../api/insights-api';
import { cleanFilters } from '../../../api/insights-api';
import type { ExclusionDraft } from './exclusions-editor';

/** The funnel query kept in the URL. */
export interface FunnelDraft extends CommonQuery {
  steps: EventMatcher[];
  window: { value: number; unit: 'second' | 'minute' | 'hour' | 'day' | 'week' };
  order: 'strict' | 'ordered' | 'any';
  breakdown?: Breakdown;
  exclusions?: ExclusionDraft[];
}

/** The request body of a funnel draft (also used for the drop-off persons query). */
export function funnelRequest(q: FunnelDraft): Record<string, unknown> {
  return {
    steps: q.steps.map((s) => ({ event: s.event, filters: cleanFilters(s.filters) })),
    window: q.window,
    order: q.order,
    dateRange: q.dateRange,
    filters: cleanFilters(q.filters),
    ...(q.breakdown?.property ? { breakdown: { property: q.breakdown.property, limit: q.breakdown.limit ?? 10 } } : {}),
    // Exclusions left pointing past the last step (steps were removed) are dropped rather than sent invalid.
    ...(q.exclusions?.length
      ? {
          exclusions: q.exclusions
            .filter((x) => x.event && x.toStep > x.fromStep && x.toStep <= q.steps.length)
            .map((x) => ({ event: x.event, filters: [], fromStep: x.fromStep, toStep: x.toStep })),
        }
      : {}),
  };
}
