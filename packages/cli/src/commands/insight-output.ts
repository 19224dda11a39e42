// Renders an insight result for `lens insight --format table`: each kind's result flattened into rows and
// columns (then printed like `lens query`); `--format json` prints the result as the API returns it.
import { formatRows } from './query-output.js';

// Results are the API's JSON, one shape per kind; rows are read loosely here and only printed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON walked per kind, printed only
type R = Record<string, any>;

/** Rows and columns of a result, per kind. */
export function insightRows(kind: string, result: R): { columns: string[]; rows: R[] } {
  switch (kind) {
    case 'trends': {
      const lines = [...result['series'], ...(result['formula']?.series ?? [])] as R[];
      const columns = [
        'series',
        'breakdown',
        ...(result['buckets'] as string[]).map((b) => b.replace('T00:00:00', '')),
      ];
      return {
        columns,
        rows: lines.map((l) =>
          Object.fromEntries([
            ['series', `${l['label']}${l['math'] ? ` ${l['math']}(${l['event']})` : ''}`],
            ['breakdown', l['breakdown']],
            ...(l['values'] as unknown[]).map((v, i) => [columns[i + 2], v]),
          ]),
        ),
      };
    }
    case 'funnels':
      return {
        columns: [
          'step',
          'event',
          'count',
          'conversionRate',
          'stepConversionRate',
          'dropOff',
          'medianSecondsFromPrevious',
        ],
        rows: result['steps'],
      };
    case 'retention': {
      const n = (result['average'] as unknown[]).length;
      const columns = ['cohort', 'size', ...Array.from({ length: n }, (_, k) => `${result['period']} ${k}`)];
      const rate = (v: number | null): string | null => (v === null ? null : `${(v * 100).toFixed(1)}%`);
      return {
        columns,
        rows: (result['cohorts'] as R[]).map((c) =>
          Object.fromEntries([
            ['cohort', String(c['cohort']).slice(0, 10)],
            ['size', c['size']],
            ...(c['rates'] as (number | null)[]).map((v, k) => [columns[k + 2], rate(v)]),
          ]),
        ),
      };
    }
    case 'paths':
      return { columns: ['level', 'source', 'target', 'value'], rows: result['links'] };
    case 'stickiness':
      return { columns: ['periods', 'persons', 'share'], rows: result['counts'] };
    case 'lifecycle':
      return {
        columns: ['bucket', 'new', 'returning', 'resurrecting', 'dormant'],
        rows: (result['buckets'] as string[]).map((b, i) => ({
          bucket: b,
          new: result['new'][i],
          returning: result['returning'][i],
          resurrecting: result['resurrecting'][i],
          dormant: result['dormant'][i],
        })),
      };
    case 'affinity':
      return { columns: ['from', 'to', 'count', 'support', 'confidence', 'lift'], rows: result['pairs'] };
    case 'search':
      return {
        columns: ['query', 'searches', 'persons', 'zeroResultSearches', 'clickThroughRate', 'refinementRate'],
        rows: result['topQueries'],
      };
    case 'trending':
      return {
        columns: ['articleId', 'site', 'section', 'views', 'score', 'baselineViewsPerHour', 'velocity'],
        rows: result['articles'],
      };
    default:
      return { columns: ['result'], rows: [{ result }] };
  }
}

/** The text `lens insight` prints. */
export function formatInsight(kind: string, result: R, format: 'json' | 'table'): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  const { columns, rows } = insightRows(kind, result);
  return formatRows(rows, columns, 'table');
}
