// The configuration endpoints the browser SDKs fetch when they load, answered so they send to this collector:
// RudderStack analytics-js v3 `GET /sourceConfig/`, Segment analytics-next `GET /v1/projects/:writeKey/settings`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { HttpError } from '../http-error.js';
import { findWriteKey } from '../write-key.js';

export function registerSdkConfigRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  const sourceConfig = async (request: FastifyRequest) => {
    const source = ctx.sources.byWriteKey(findWriteKey(request.headers.authorization, request.query, undefined));
    if (source === undefined)
      throw new HttpError(401, 'unknown_write_key', 'missing or unknown writeKey (Basic auth or ?writeKey=)');
    return {
      isHosted: false,
      source: {
        id: source.id,
        name: source.name,
        writeKey: source.writeKey,
        enabled: true,
        config: {},
        destinations: [],
        workspaceId: 'lens',
      },
    };
  };
  app.get('/sourceConfig', sourceConfig);
  app.get('/sourceConfig/', sourceConfig);

  app.get('/v1/projects/:writeKey/settings', async (request) => {
    const { writeKey } = request.params as { writeKey: string };
    if (ctx.sources.byWriteKey(writeKey) === undefined)
      throw new HttpError(401, 'unknown_write_key', 'no source has this write key');
    // Behind a proxy (trustProxy) the host the browser used: the left-most X-Forwarded-Host (the first proxy's,
    // as the client IP is the left-most X-Forwarded-For); else the Host header.
    const forwarded = ctx.config.trustProxy ? request.headers['x-forwarded-host'] : undefined;
    const first = (typeof forwarded === 'string' ? forwarded : forwarded?.[0])?.split(',')[0]?.trim();
    const host = first || request.headers.host || `localhost:${ctx.config.port}`;
    const protocol = request.protocol;
    return {
      integrations: {
        'Segment.io': {
          apiKey: writeKey,
          apiHost: `${host}/v1`,
          protocol,
          unbundledIntegrations: [],
          addBundledMetadata: true,
          maybeBundledConfigIds: {},
          versionSettings: { version: '4.4.7', componentTypes: ['browser'] },
        },
      },
      plan: {
        track: { __default: { enabled: true, integrations: {} } },
        identify: { __default: { enabled: true } },
        group: { __default: { enabled: true } },
      },
      edgeFunction: {},
      analyticsNextEnabled: true,
      middlewareSettings: {},
      enabledMiddleware: {},
      metrics: { sampleRate: 0 },
      legacyVideoPluginsEnabled: false,
      remotePlugins: [],
    };
  });
}
