// Insights › Funnels: ordered steps within a conversion window — steps bar chart, conversion and drop-off per
// step, time to convert, and the persons who dropped off after a chosen step.
import { InsightPage } from '../insight-page';
import { funnelRequest, type FunnelDraft } from './funnel-draft';
import { FunnelsBuilder } from './funnels-builder';
import { FunnelResultView, type FunnelResult } from './funnel-result';

const DEFAULTS: FunnelDraft = {
  steps: [{ event: 'Article Viewed' }, { event: 'Paywall Shown' }, { event: 'Subscription Started' }],
  window: { value: 1, unit: 'day' },
  order: 'ordered',
  dateRange: { last: 7, unit: 'day' },
  filters: [],
};

/** The funnels page. */
export default function FunnelsPage() {
  return (
    <InsightPage<FunnelDraft, FunnelResult>
      kind="funnels"
      defaults={DEFAULTS}
      toRequest={funnelRequest}
      builder={(draft, set, schema) => <FunnelsBuilder draft={draft} onChange={set} schema={schema} />}
      result={(r, q) => <FunnelResultView result={r} query={q} />}
      isEmpty={(r) => (r.steps[0]?.count ?? 0) === 0}
    />
  );
}
