// The hand-written query check and response JSON against what they replace — the route as it was, with its
// JSON schemas validated by Ajv and serialised by fast-json-stringify inside Fastify (rebuilt here as the
// oracle) — and the node:http fast path against the Fastify route over real HTTP: same status, headers, bytes.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { KeyValueStoreError, RecsRequestError } from '../errors.js';
import { createMemoryKeyValueStore } from '../kv/adapters/memory/index.js';
import { SYNTHETIC_NOW, writeSyntheticVersion } from '../testing/synthetic-store.js';
import {
  createRecommendationService,
  type RecommendationRequest,
  type RecommendationResponse,
  type RecommendationService,
} from './recommendation-service.js';
import { corsHeaders, createRecommendationsEndpoint } from './recommendations-http.js';
import { recommendationsPlugin } from './recommendations-plugin.js';
import { responseJson } from './response-json.js';

const MAX_K = 20;

/** The route before the fast path: Fastify's schema validation and serialisation (the behaviour to keep). */
async function schemaRoute(service: RecommendationService): Promise<FastifyInstance> {
  const app = Fastify();
  const id = { type: 'string', minLength: 1, maxLength: 256 } as const;
  const itemSchema = {
    type: 'object',
    properties: {
      articleId: { type: 'string' },
      score: { type: 'number' },
      reason: { type: 'string' },
      becauseArticleId: { type: 'string' },
      section: { type: 'string' },
      site: { type: 'string' },
      position: { type: 'integer' },
    },
  } as const;
  // Errors in the server's shape (`{"error": {code, message, field?}}`), 503s with Retry-After.
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof RecsRequestError && error.statusCode === 503)
      return reply
        .status(503)
        .header('retry-after', '30')
        .send({ error: { code: 'not_loaded', message: error.message } });
    if (error instanceof RecsRequestError) {
      const field = Object.keys(error.context)[0];
      return reply.status(error.statusCode).send({ error: { code: 'invalid_query', message: error.message, field } });
    }
    if (error instanceof KeyValueStoreError)
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({ error: { code: 'store_unavailable', message: 'recommendations store unavailable; retry later' } });
    if ((error as { validation?: unknown }).validation) {
      const { message } = error as Error;
      const field = /^querystring\/(\w+)/.exec(message)?.[1];
      return reply.status(400).send({ error: { code: 'invalid_query', message, field } });
    }
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error (logged)' } });
  });
  app.get<{
    Querystring: {
      userId?: string;
      anonymousId?: string;
      k?: number;
      context?: string;
      site?: string;
      exclude?: string;
    };
  }>(
    '/v1/recommendations',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            userId: id,
            anonymousId: id,
            context: id,
            site: id,
            k: { type: 'integer', minimum: 1, maximum: MAX_K },
            exclude: { type: 'string', maxLength: 8192 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              listId: { type: 'string' },
              source: { type: 'string' },
              personId: { type: 'string' },
              modelVersion: { type: 'string' },
              items: { type: 'array', items: itemSchema },
            },
          },
        },
      },
    },
    async (request) => {
      const q = request.query;
      return service.recommend({
        ...(q.userId ? { userId: q.userId } : {}),
        ...(q.anonymousId ? { anonymousId: q.anonymousId } : {}),
        ...(q.k ? { k: q.k } : {}),
        ...(q.context ? { context: q.context } : {}),
        ...(q.site ? { site: q.site } : {}),
        ...(q.exclude ? { exclude: q.exclude.split(',').filter(Boolean) } : {}),
      });
    },
  );
  return app;
}

/** A service echoing the request it got (so the parsed request is compared too), with a fixed listId. */
function echoService(): RecommendationService {
  return {
    async recommend(request: RecommendationRequest): Promise<RecommendationResponse> {
      if (request.userId === 'boom') throw new Error('unexpected');
      if (request.userId === 'down') throw new KeyValueStoreError('down');
      if (request.userId === 'nothing') throw new RecsRequestError('no recommendations are loaded yet', 503);
      return {
        listId: 'L',
        source: 'person',
        modelVersion: JSON.stringify(request),
        items: [{ articleId: 'a', score: 1, reason: 'r', position: 1 }],
      };
    },
  };
}

const QUERIES = [
  '',
  'userId=u1',
  'userId=u1&k=2',
  'k=0',
  'k=21',
  'k=20',
  'k=abc',
  'k=',
  'k=1.5',
  'k=1.0',
  'k=%205',
  'k=+5',
  'k=5&k=6',
  'k=0x5',
  'k=1e1',
  'k=-0',
  'k=-3',
  'k=true',
  'k=Infinity',
  'k=-Infinity',
  'k=1e400',
  'k=1e21',
  'k=07',
  'k=2&k=abc',
  'k=%00',
  'userId=',
  'userId=a&userId=b',
  'userId=u1&userId=',
  `context=${'x'.repeat(256)}`,
  `context=${'x'.repeat(257)}`,
  `context=${'é'.repeat(256)}`,
  `context=${'😀'.repeat(200)}`,
  `context=${'😀'.repeat(257)}`,
  `exclude=${'x'.repeat(8192)}`,
  `exclude=${'x'.repeat(8193)}`,
  'exclude=',
  'userId=%E0%A4%A',
  'userId=a%00b',
  'site=',
  'k=3&foo=bar',
  'anonymousId=nobody&k=3',
  'exclude=,,new-1,&k=2&anonymousId=x',
  'exclude=a&exclude=b',
  'userId=u+1',
  'userId=%22q%22%5C',
  'anonymousId=d1&userId=u2&context=c&site=s&k=4&exclude=a,b',
  'userId=&k=0',
  'k=0&userId=',
  'site=a&site=b&k=0',
  'context=&k=99',
  'userId',
  'userId&k=3',
  '=x',
  '&&',
  'userId=boom',
  'userId=down',
  'userId=nothing',
  '__proto__=x&userId=p',
  'constructor=1',
  'k=3%26userId=x',
];

describe('GET /v1/recommendations answers as the schema-validated route did', () => {
  let oracle: FastifyInstance;
  let app: FastifyInstance;
  before(async () => {
    oracle = await schemaRoute(echoService());
    app = Fastify();
    await app.register(recommendationsPlugin({ service: echoService(), maxK: MAX_K }));
  });

  it('every query: same status, content type and body (the parsed request included)', async () => {
    for (const q of QUERIES) {
      const [want, got] = await Promise.all([oracle, app].map((a) => a.inject({ url: `/v1/recommendations?${q}` })));
      assert.equal(got!.statusCode, want!.statusCode, q);
      assert.equal(got!.headers['content-type'], want!.headers['content-type'], q);
      assert.equal(got!.headers['retry-after'], want!.headers['retry-after'], q);
      assert.equal(got!.body, want!.body, q);
    }
    const bad = await app.inject({ url: '/v1/recommendations?k=0' });
    assert.deepEqual(
      bad.json(),
      { error: { code: 'invalid_query', message: 'querystring/k must be >= 1', field: 'k' } },
      'a 400 names the parameter, in the shape of every other server error',
    );
    const down = await app.inject({ url: '/v1/recommendations?userId=down' });
    assert.equal(down.statusCode, 503);
    assert.equal(down.headers['retry-after'], '5', 'a store that failed: retry soon');
    assert.equal(down.json().error.code, 'store_unavailable');
    const nothing = await app.inject({ url: '/v1/recommendations?userId=nothing' });
    assert.equal(nothing.headers['retry-after'], '30', 'nothing loaded yet: retry later');
    assert.equal(nothing.json().error.code, 'not_loaded');
  });

  it('the response JSON is byte for byte what fast-json-stringify wrote, awkward strings and numbers included', async () => {
    const response: RecommendationResponse = {
      listId: 'l-1',
      source: 'person+context',
      personId: 'p "quoted" \\ \u0001 \u2028 é 😀 \ud800',
      modelVersion: 'v',
      items: [
        {
          articleId: 'a\n1',
          score: 0.1 + 0.2,
          reason: 'co_read',
          becauseArticleId: 'b',
          section: 'news',
          site: 's',
          position: 1,
        },
        { articleId: 'a2', score: 1e-7, reason: 'trending', position: 2 },
        { articleId: 'a3', score: 123456789012345680000, reason: 'x', section: '', position: 3 },
        { articleId: 'a4', score: -0, reason: 'y', site: 'only-site', position: 4 },
      ],
    };
    const fixed: RecommendationService = { recommend: async () => response };
    const want = (await (await schemaRoute(fixed)).inject({ url: '/v1/recommendations' })).body;
    assert.equal(responseJson(response), want);
    assert.equal(
      responseJson({ ...response, personId: undefined as unknown as string, items: [] }),
      '{"listId":"l-1","source":"person+context","modelVersion":"v","items":[]}',
    );
  });
});

/** The plugin on Fastify with its fast path in front, as `lens server` mounts it; `calls.fast` counts fast-path answers. */
interface FastPathServer {
  fastify: FastifyInstance;
  base: string;
  calls: { fast: number; answeredAtOnce: number };
}

async function startWithFastPath(corsOrigins?: string[]): Promise<FastPathServer> {
  const store = createMemoryKeyValueStore();
  await writeSyntheticVersion(store);
  const service = createRecommendationService({ store, now: () => SYNTHETIC_NOW, maxK: MAX_K });
  const plugin = recommendationsPlugin({ service, maxK: MAX_K, ...(corsOrigins ? { corsOrigins } : {}) });
  const calls = { fast: 0, answeredAtOnce: 0 };
  const fastify = Fastify({
    serverFactory: (handler) =>
      createServer((req: IncomingMessage, res: ServerResponse) => {
        if (plugin.fastPath(req, res)) {
          calls.fast++;
          if (res.writableEnded) calls.answeredAtOnce++; // answered before fastPath returned
        } else handler(req, res);
      }),
  });
  await fastify.register(plugin);
  return { fastify, base: await fastify.listen({ host: '127.0.0.1', port: 0 }), calls };
}

describe('the node:http fast path', () => {
  let s: FastPathServer;
  before(async () => {
    s = await startWithFastPath();
  });
  after(() => s.fastify.close());

  const strip = (body: string): string => body.replace(/"listId":"[^"]+"/, '"listId":"X"');

  it('answers GET /v1/recommendations with the same status, headers and body as the Fastify route', async () => {
    for (const q of [
      'userId=u1&k=5',
      'anonymousId=d1&k=2',
      'anonymousId=stranger&context=pol-1&k=3',
      'k=0',
      'k=abc',
      'userId=',
      'userId=a&userId=b',
      '',
      'exclude=foo-1&site=www.pitchside.example',
    ]) {
      const before = s.calls.fast;
      const res = await fetch(`${s.base}/v1/recommendations?${q}`);
      assert.equal(s.calls.fast, before + 1, `${q} took the fast path`);
      const body = await res.text();
      const want = await s.fastify.inject({ url: `/v1/recommendations?${q}` });
      assert.equal(res.status, want.statusCode, q);
      assert.equal(res.headers.get('content-type'), want.headers['content-type'], q);
      assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(body)), q);
      assert.equal(strip(body), strip(want.body), q);
    }
  });

  it('a query asked again: the same answer under a new listId; a bad one, the same 400', async () => {
    const get = async (q: string): Promise<[number, string]> => {
      const res = await fetch(`${s.base}/v1/recommendations?${q}`);
      return [res.status, await res.text()];
    };
    const atOnce = s.calls.answeredAtOnce;
    const a = await get('userId=u1&k=4');
    assert.equal(s.calls.answeredAtOnce, atOnce, 'the first time, the answer is looked up (not at once)');
    const b = await get('userId=u1&k=4');
    assert.equal(s.calls.answeredAtOnce, atOnce + 1, 'asked again: answered before fastPath returns');
    assert.equal(a[0], 200);
    assert.equal(b[0], 200);
    assert.equal(strip(b[1]), strip(a[1]));
    assert.notEqual(JSON.parse(b[1]).listId, JSON.parse(a[1]).listId);
    const k0 = '{"error":{"code":"invalid_query","message":"querystring/k must be >= 1","field":"k"}}';
    assert.deepEqual(await get('k=0'), [400, k0]);
    assert.deepEqual(await get('k=0'), [400, k0]);
    assert.equal(
      strip((await get('userId=u1&k=3'))[1]),
      strip((await s.fastify.inject({ url: '/v1/recommendations?userId=u1&k=3' })).body),
    );
  });

  it('a 503 carries Retry-After on the fast path too', async () => {
    const endpoint = createRecommendationsEndpoint(echoService(), { maxK: MAX_K });
    const server = createServer((req, res) => {
      if (!endpoint.fastPath(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      for (const [q, retry, code] of [
        ['userId=down', '5', 'store_unavailable'],
        ['userId=nothing', '30', 'not_loaded'],
      ] as const) {
        const res = await fetch(`http://127.0.0.1:${port}/v1/recommendations?${q}`);
        assert.equal(res.status, 503, q);
        assert.equal(res.headers.get('retry-after'), retry, q);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, code, q);
      }
    } finally {
      server.close();
    }
  });

  it('leaves other methods and paths to Fastify', async () => {
    const before = s.calls.fast;
    assert.equal((await fetch(`${s.base}/v1/recommendations/?userId=u1`)).status, 404);
    assert.equal((await fetch(`${s.base}/v1/recommendationsX`)).status, 404);
    const head = await fetch(`${s.base}/v1/recommendations?userId=u1`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal((await fetch(`${s.base}/v1/recommendations`, { method: 'POST', body: '{}' })).status, 404);
    assert.equal(s.calls.fast, before);
  });
});

describe('CORS for publishers’ pages (both paths)', () => {
  const PAGE = 'https://www.northwind-daily.example';
  let s: FastPathServer;
  before(async () => {
    s = await startWithFastPath([PAGE]);
  });
  after(() => s.fastify.close());

  it('an allowed origin is echoed with Vary: Origin on answers and errors; another origin gets no CORS headers', async () => {
    for (const q of ['userId=u1&k=3', 'k=0']) {
      const res = await fetch(`${s.base}/v1/recommendations?${q}`, { headers: { origin: PAGE } });
      assert.equal(res.headers.get('access-control-allow-origin'), PAGE, q);
      assert.equal(res.headers.get('vary'), 'Origin', q);
      const viaFastify = await s.fastify.inject({ url: `/v1/recommendations?${q}`, headers: { origin: PAGE } });
      assert.equal(viaFastify.headers['access-control-allow-origin'], PAGE, q);
      assert.equal(viaFastify.statusCode, res.status, q);
    }
    const other = await fetch(`${s.base}/v1/recommendations?userId=u1`, {
      headers: { origin: 'https://elsewhere.example' },
    });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const viaFastify = await s.fastify.inject({
      url: '/v1/recommendations?userId=u1',
      headers: { origin: 'https://elsewhere.example' },
    });
    assert.equal(viaFastify.headers['access-control-allow-origin'], undefined);
  });

  it('gives a server the CORS headers of a request its HTTP parser refused (a query over 16 KB)', () => {
    const plugin = recommendationsPlugin({ service: {} as never, corsOrigins: [PAGE] });
    assert.deepEqual(plugin.refusedRequestHeaders('/v1/recommendations', PAGE), [
      'access-control-allow-origin',
      PAGE,
      'vary',
      'Origin',
    ]);
    assert.deepEqual(plugin.refusedRequestHeaders('/v1/recommendations', 'https://elsewhere.example'), []);
    assert.deepEqual(plugin.refusedRequestHeaders('/api/sql', PAGE), []);
  });

  it('answers the preflight with 204, the origin, the method and headers allowed', async () => {
    const before = s.calls.fast;
    const preflight = {
      origin: PAGE,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'content-type',
    };
    const res = await fetch(`${s.base}/v1/recommendations?userId=u1`, { method: 'OPTIONS', headers: preflight });
    assert.equal(s.calls.fast, before + 1, 'the fast path answered it');
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), PAGE);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /\bGET\b/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Content-Type/i);
    const viaFastify = await s.fastify.inject({
      method: 'OPTIONS',
      url: '/v1/recommendations?userId=u1',
      headers: preflight,
    });
    assert.equal(viaFastify.statusCode, 204);
    assert.equal(viaFastify.headers['access-control-allow-origin'], PAGE);
    // A page's fetch wrapper adding its own headers (tracing, consent): a browser preflights them, and refuses
    // the GET unless each one is allowed.
    const extra = { ...preflight, 'access-control-request-headers': 'x-request-id, traceparent' };
    for (const got of [
      (await fetch(`${s.base}/v1/recommendations?userId=u1`, { method: 'OPTIONS', headers: extra })).headers.get(
        'access-control-allow-headers',
      ),
      (await s.fastify.inject({ method: 'OPTIONS', url: '/v1/recommendations', headers: extra })).headers[
        'access-control-allow-headers'
      ],
    ])
      assert.equal(got, 'x-request-id, traceparent');
  });

  it('`*` allows any origin; no origins configured, no CORS headers', () => {
    assert.deepEqual(corsHeaders(['*']).response('https://any.example'), [
      'access-control-allow-origin',
      'https://any.example',
      'vary',
      'Origin',
    ]);
    assert.deepEqual(corsHeaders([]).response('https://any.example'), []);
    assert.deepEqual(corsHeaders(['*']).response(undefined), [], 'no Origin header, no CORS headers');
  });
});
