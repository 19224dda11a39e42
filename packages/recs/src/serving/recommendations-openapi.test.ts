// The OpenAPI path item of GET /v1/recommendations describes what the route's query check accepts: every
// documented parameter is taken, k up to maxK and not beyond, and an undocumented one is not read.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { recommendationsOpenApi } from './recommendations-openapi.js';
import { checkQuery } from './recommendations-query.js';

it('documents the parameters the query check takes, with its limits', () => {
  const item = recommendationsOpenApi(20) as {
    get: { parameters: { name: string; schema: { maximum?: number; maxLength?: number } }[] };
  };
  const params = item.get.parameters;
  const value = (name: string): string => (name === 'k' ? '5' : name === 'exclude' ? 'a1,a2' : 'x1');
  const check = checkQuery(Object.fromEntries(params.map((p) => [p.name, value(p.name)])), 20);
  assert.ok(check.ok, JSON.stringify(check));
  assert.deepEqual(Object.keys(check.request).sort(), params.map((p) => p.name).sort());
  assert.equal(params.find((p) => p.name === 'k')!.schema.maximum, 20);
  assert.equal(checkQuery({ k: '21' }, 20).ok, false);
  const userId = params.find((p) => p.name === 'userId')!.schema.maxLength!;
  assert.equal(checkQuery({ userId: 'u'.repeat(userId) }, 20).ok, true);
  assert.equal(checkQuery({ userId: 'u'.repeat(userId + 1) }, 20).ok, false);
});
