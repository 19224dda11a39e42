// The loader's tiny ops endpoint on node:http: GET /health (JSON: owned partitions, positions) and GET /metrics
// (Prometheus text). No framework: two routes do not need one. The pipelines role serves its own with it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A started ops server. */
export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on host:port (port 0 is for tests only: the caller decides 0 = off before calling). */
export async function startOpsServer(
  host: string,
  port: number,
  registry: Registry,
  health: () => { ready?: boolean } & Record<string, unknown>,
): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      // 503 when not ready (a load balancer or probe acts on the status, not the body).
      const { ready = true, ...rest } = health();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ready ? 'ok' : 'failing', ...rest }));
    } else if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
