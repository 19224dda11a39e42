// Operations endpoints: liveness/readiness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../collector-context.js';

export function registerOpsRoutes(
  app: FastifyInstance,
  ctx: CollectorContext,
  isReady: () => boolean,
  metricsText: () => Promise<string> = () => ctx.metrics.registry.metrics(),
): void {
  const started = Date.now();
  app.get('/health', async (_request, reply) => {
    // Not ready while the log refuses appends (until an append succeeds, or for Retry-After after the last
    // refusal): a load balancer then sends events to a collector that can take them.
    const { lastMs, reason } = ctx.refusals;
    const refusing = lastMs !== undefined && Date.now() - lastMs < ctx.config.retryAfterSeconds * 1000;
    const ready = isReady() && !refusing;
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? 'ok' : 'unavailable',
      live: true,
      ready,
      ...(refusing ? { backpressure: reason } : {}),
      partition: ctx.sink.partition,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return metricsText();
  });
}
