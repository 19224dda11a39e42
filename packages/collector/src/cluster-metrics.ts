// /metrics under `lens collector --workers N`: the workers share the port, so a scrape reaches one of them at
// random and saw that worker's counters only (each scrape a different, smaller total). The worker that gets the
// scrape asks the cluster primary, which gathers every worker's registry (prom-client's AggregatorRegistry:
// counters and histograms summed) and answers with the whole collector's metrics.
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { CollectorMetrics } from './collector-metrics.js';

const REQUEST = 'lens:cluster-metrics-req';
const RESPONSE = 'lens:cluster-metrics-res';
const TIMEOUT_MS = 5_000;

interface MetricsMessage {
  type?: string;
  id?: number;
  text?: string;
  error?: string;
}

/** In the cluster primary: answers the workers' requests for the metrics of all workers. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: message.id, text }),
      (error: unknown) => worker.send({ type: RESPONSE, id: message.id, error: String(error) }),
    );
  });
}

/**
 * In a cluster worker: offers `metrics`' registry to the primary's aggregation and returns what /metrics should
 * answer — the whole cluster's metrics, asked of the primary.
 */
export function clusterMetricsText(metrics: CollectorMetrics): () => Promise<string> {
  new AggregatorRegistry(); // installs prom-client's worker-side answer to the primary's requests
  AggregatorRegistry.setRegistries([metrics.registry]);
  let next = 0;
  const pending = new Map<number, (message: MetricsMessage) => void>();
  process.on('message', (message: MetricsMessage) => {
    if (message?.type !== RESPONSE || message.id === undefined) return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the collector's primary process did not send the cluster's metrics within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.error !== undefined) reject(new Error(`cluster metrics: ${message.error}`));
        else resolve(message.text ?? '');
      });
      process.send!({ type: REQUEST, id });
    });
}
