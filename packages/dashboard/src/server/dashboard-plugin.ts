// Fastify plugin serving the dashboard's production build (dist/app): hashed assets with a year-long cache,
// precompressed .br/.gz when the browser accepts them, and index.html for every client route (SPA fallback).
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the Vite build lands, relative to this compiled file (dist/server/dashboard-plugin.js). */
export const DASHBOARD_APP_DIR = fileURLToPath(new URL('../app/', import.meta.url));

/** Options of `dashboardPlugin`. */
export interface DashboardPluginOptions {
  /** Directory of the built app (default `DASHBOARD_APP_DIR`). */
  root?: string;
  /** URL prefixes that are never client routes: unknown paths under them get the server's 404 (default `/api`). */
  reservedPrefixes?: readonly string[];
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const TOP_LEVEL_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
// File-like URLs that are not in the build are 404s; anything else (even /data/catalog/silver.events) is a client route.
const ASSET_URL = /^\/assets\/|\.(m?js|css|map|svg|png|jpe?g|gif|ico|webp|woff2?|txt|json|webmanifest)$/i;

/**
 * Serves the built dashboard at `/`. Register it after the API routes; it claims `GET /` and `GET /*`.
 * @example await app.register(dashboardPlugin);
 */
export const dashboardPlugin: FastifyPluginAsync<DashboardPluginOptions> = async (app, options) => {
  const root = options.root ?? DASHBOARD_APP_DIR;
  const reserved = options.reservedPrefixes ?? ['/api'];
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) {
    app.get('/', async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send('The dashboard is not built: run `npm run build:app -w @lens/dashboard`.\n'),
    );
    return;
  }
  const common = { preCompressed: true, decorateReply: false, cacheControl: false, index: false } as const;
  // Hashed assets by wildcard, looked up per request: a rebuild while the server runs (npm test next to
  // lens up) replaces them, and the new index.html must find its new files.
  await app.register(fastifyStatic, {
    ...common,
    root: join(root, 'assets'),
    prefix: '/assets/',
    wildcard: true,
    setHeaders: (res) => res.setHeader('Cache-Control', IMMUTABLE),
  });
  // The few top-level files copied from public/ (favicon…), found once at start.
  for (const name of readdirSync(root)) {
    const type = TOP_LEVEL_TYPES[extname(name)];
    if (type === undefined || name === 'index.html' || !statSync(join(root, name)).isFile()) continue;
    app.get(`/${name}`, async (_request, reply) =>
      reply
        .header('Cache-Control', 'no-cache')
        .type(type)
        .send(await readFile(join(root, name))),
    );
  }
  const sendIndex = async (reply: FastifyReply) =>
    reply
      .header('Cache-Control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(await readFile(indexPath));
  app.get('/', async (_request, reply) => sendIndex(reply));
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // Missing files (a stale hashed asset) and API paths are real 404s, not the app shell.
    if (reserved.some((p) => path === p || path.startsWith(`${p}/`)) || ASSET_URL.test(path))
      return reply.callNotFound();
    return sendIndex(reply);
  });
};
