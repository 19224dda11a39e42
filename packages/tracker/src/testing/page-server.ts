// A tiny node:http server for test pages and scripts, on its own localhost port so that every request from
// the page to the collector is cross-origin (real CORS), as on a customer's site.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  readonly url: string;
  /** Serves `body` at `path` (HTML or JavaScript by extension). */
  set(path: string, body: string): void;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (random port). Unknown paths answer 404. */
export async function startPageServer(): Promise<PageServer> {
  const files = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const type = path.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (path, body) => {
      files.set(path, body);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
