// Table-level lineage as OpenLineage RunEvents (one COMPLETE event per dataset job, inputs → output), so a
// Marquez or DataHub can draw the graph the definitions declare.
import { randomUUID } from 'node:crypto';
import type { PipelineGraph } from './pipeline-graph.js';

const PRODUCER = 'https://github.com/lens/lens/tree/main/packages/prism';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** OpenLineage RunEvents for every dataset of the graph, in `namespace` (e.g. `lens://<dataDir>`). */
export function lineageEvents(graph: PipelineGraph, namespace: string, at = new Date()): object[] {
  return graph.ordered.map((d) => ({
    eventType: 'COMPLETE',
    eventTime: at.toISOString(),
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
    run: { runId: randomUUID() },
    job: {
      namespace,
      name: d.name,
      facets: {
        documentation: {
          _producer: PRODUCER,
          _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/DocumentationJobFacet.json',
          description: d.description,
        },
      },
    },
    inputs: d.inputs.map((name) => ({ namespace, name })),
    outputs: [{ namespace, name: d.name }],
  }));
}
