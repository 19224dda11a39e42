// The OpenAPI path item of GET /v1/recommendations, for the server's /api/openapi.json (ServerPlugin.openapi):
// the parameters and limits recommendations-query.ts checks, and the response recommendations-http.ts writes.

const id = (description: string): object => ({ type: 'string', minLength: 1, maxLength: 256, description });
const error = (description: string): object => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The path item; `maxK` is the longest list the API serves (recs.maxK). */
export function recommendationsOpenApi(maxK: number): Record<string, unknown> {
  const parameters = [
    ['userId', id('the person, by user id')],
    ['anonymousId', id('the device; resolved to its person when an identify linked them')],
    ['context', id('the article being read: its neighbours when the person is unknown, or blended in')],
    [
      'site',
      id(
        'only articles of this site (silver.content.site, e.g. pitchside); 400 for a site the served version has no article of',
      ),
    ],
    ['k', { type: 'integer', minimum: 1, maximum: maxK, description: 'list length (default recs.k)' }],
    ['exclude', { type: 'string', maxLength: 8192, description: 'comma-separated article ids to leave out' }],
  ].map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const item = {
    type: 'object',
    required: ['articleId', 'score', 'reason'],
    properties: {
      articleId: { type: 'string' },
      score: { type: 'number', nullable: true },
      reason: { type: 'string' },
      becauseArticleId: { type: 'string' },
      section: { type: 'string' },
      site: { type: 'string' },
    },
  };
  return {
    get: {
      summary:
        'Recommended articles for a person or a device (else neighbours of the context article, else trending), with score and reason',
      operationId: 'recommendations',
      tags: ['recommendations'],
      security: [], // called from browsers and apps: no read token
      parameters,
      responses: {
        200: {
          description: 'the list; listId goes into the "Recommendation Clicked" event of a click on it',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['listId', 'source', 'modelVersion', 'items'],
                properties: {
                  listId: { type: 'string' },
                  source: { type: 'string', enum: ['person', 'context', 'person+context', 'trending'] },
                  personId: { type: 'string' },
                  modelVersion: { type: 'string' },
                  items: { type: 'array', items: item },
                },
              },
            },
          },
        },
        400: error('invalid_query: the parameter named in field is wrong'),
        503: error('not_loaded (nothing trained and loaded yet) or store_unavailable; Retry-After says when to retry'),
      },
    },
  };
}
