// Lineage as OpenLineage events, so a Marquez or DataHub can draw the graph the definitions declare and see how
// each job last ran: one JobEvent per dataset job (static lineage: inputs → output, no run), and one RunEvent per
// job that has run, from its latest run in lens.runs (its run id, end time, outcome and rows written). A job that
// never ran gets no RunEvent: reporting one (as this did, COMPLETE with a fresh id and the current time for every
// dataset) told a lineage server that failed and never-run jobs had succeeded just now.
import type { PipelineGraph } from './pipeline-graph.js';

const PRODUCER = 'https://github.com/lens/lens/tree/main/packages/prism';
const SPEC = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';

/** A pipeline's latest run, as lens.runs holds it (`readRuns(dataDir, { latestPerPipeline: true })`). */
export interface LineageRun {
  pipeline: string;
  runId: string;
  status: string;
  endedAt: Date | string;
  rowsOut?: number | bigint | null;
  error?: string | null;
}

/** OpenLineage RunEvent types for lens.runs statuses (a run fenced out by a concurrent one did nothing: OTHER). */
const EVENT_TYPES: Readonly<Record<string, string>> = { succeeded: 'COMPLETE', failed: 'FAIL', skipped: 'OTHER' };

/**
 * JobEvents for every dataset of the graph, then RunEvents for the latest run of each one that ran, in
 * `namespace` (e.g. `lens://<dataDir>`).
 */
export function lineageEvents(
  graph: PipelineGraph,
  namespace: string,
  runs: readonly LineageRun[] = [],
  at = new Date(),
): object[] {
  const job = (d: PipelineGraph['ordered'][number]) => ({
    namespace,
    name: d.name,
    facets: {
      documentation: {
        _producer: PRODUCER,
        _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/DocumentationJobFacet.json',
        description: d.description,
      },
    },
  });
  const jobs = graph.ordered.map((d) => ({
    eventTime: at.toISOString(),
    producer: PRODUCER,
    schemaURL: `${SPEC}#/$defs/JobEvent`,
    job: job(d),
    inputs: d.inputs.map((name) => ({ namespace, name })),
    outputs: [{ namespace, name: d.name }],
  }));
  const latest = new Map(runs.map((r) => [r.pipeline, r]));
  const ran = graph.ordered.flatMap((d) => {
    const run = latest.get(d.name);
    if (run === undefined) return [];
    const rows = run.rowsOut === undefined || run.rowsOut === null ? undefined : Number(run.rowsOut);
    return [
      {
        eventType: EVENT_TYPES[run.status] ?? 'OTHER',
        eventTime: new Date(run.endedAt).toISOString(),
        producer: PRODUCER,
        schemaURL: `${SPEC}#/$defs/RunEvent`,
        run: {
          runId: run.runId,
          ...(run.status === 'failed' && run.error
            ? {
                facets: {
                  errorMessage: {
                    _producer: PRODUCER,
                    _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/ErrorMessageRunFacet.json',
                    message: run.error,
                    programmingLanguage: 'SQL',
                  },
                },
              }
            : {}),
        },
        job: job(d),
        inputs: d.inputs.map((name) => ({ namespace, name })),
        outputs: [
          {
            namespace,
            name: d.name,
            ...(rows === undefined || run.status !== 'succeeded'
              ? {}
              : {
                  outputFacets: {
                    outputStatistics: {
                      _producer: PRODUCER,
                      _schemaURL: 'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json',
                      rowCount: rows,
                    },
                  },
                }),
          },
        ],
      },
    ];
  });
  return [...jobs, ...ran];
}
