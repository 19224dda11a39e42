// Fastify plugin serving the dashboard's production build (dist/app): hashed assets with a year-long cache,
// precompressed .br/.gz when the browser accepts them, and index.html for every client route (SPA fallback).
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
      reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build:app -w @lens/dashboard`.\n'));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    preCompressed: true,
    decorateReply: false,
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('Cache-Control', path.includes(`${join(root, 'assets')}`) ? IMMUTABLE : 'no-cache');
    },
  });
  const sendIndex = async (reply: FastifyReply) =>
    reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(await readFile(indexPath));
  app.get('/', async (_request, reply) => sendIndex(reply));
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // Missing files (a stale hashed asset) and API paths are real 404s, not the app shell.
    if (reserved.some((p) => path === p || path.startsWith(`${p}/`)) || ASSET_URL.test(path)) return reply.callNotFound();
    return sendIndex(reply);
  });
};
