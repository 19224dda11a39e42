// Insights › Funnels: ordered steps within a conversion window — steps bar chart, conversion and drop-off per
// step, time to convert, and the persons who dropped off after a chosen step.
import type { Breakdown, CommonQuery, EventMatcher } from '../../../api/insights-api';
import { cleanFilters } from '../../../api/insights-api';
import { InsightPage } from '../insight-page';
import type { ExclusionDraft } from './exclusions-editor';
import { FunnelsBuilder } from './funnels-builder';
import { FunnelResultView, type FunnelResult } from './funnel-result';

/** The funnel query kept in the URL. */
export interface FunnelDraft extends CommonQuery {
  steps: EventMatcher[];
  window: { value: number; unit: 'second' | 'minute' | 'hour' | 'day' | 'week' };
  order: 'strict' | 'ordered' | 'any';
  breakdown?: Breakdown;
  exclusions?: ExclusionDraft[];
}

const DEFAULTS: FunnelDraft = {
  steps: [{ event: 'Article Viewed' }, { event: 'Paywall Shown' }, { event: 'Subscription Started' }],
  window: { value: 1, unit: 'day' }, order: 'ordered', dateRange: { last: 7, unit: 'day' }, filters: [],
};

/** The request body of a funnel draft (also used for the drop-off persons query). */
export function funnelRequest(q: FunnelDraft): Record<string, unknown> {
  return {
    steps: q.steps.map((s) => ({ event: s.event, filters: cleanFilters(s.filters) })), window: q.window, order: q.order,
    dateRange: q.dateRange, filters: cleanFilters(q.filters),
    ...(q.breakdown?.property ? { breakdown: { property: q.breakdown.property, limit: q.breakdown.limit ?? 10 } } : {}),
    // Exclusions left pointing past the last step (steps were removed) are dropped rather than sent invalid.
    ...(q.exclusions?.length ? { exclusions: q.exclusions.filter((x) => x.event && x.toStep > x.fromStep && x.toStep <= q.steps.length).map((x) => ({ event: x.event, filters: [], fromStep: x.fromStep, toStep: x.toStep })) } : {}),
  };
}

/** The funnels page. */
export default function FunnelsPage() {
  return (
    <InsightPage<FunnelDraft, FunnelResult>
      kind="funnels" defaults={DEFAULTS} toRequest={funnelRequest}
      builder={(draft, set, schema) => <FunnelsBuilder draft={draft} onChange={set} schema={schema} />}
      result={(r, q) => <FunnelResultView result={r} query={q} />}
      isEmpty={(r) => (r.steps[0]?.count ?? 0) === 0}
    />
  );
}
