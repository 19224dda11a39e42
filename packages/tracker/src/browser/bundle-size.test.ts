// The size budget of the issue: the core bundle (ESM and snippet IIFE) ≤ 8 KB minified + gzipped, and it must
// not carry the protocol's runtime validators (Ajv, zod) or anything from Node.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildBundles } from '../testing/bundle.js';

it('the browser bundles fit 8 KB gzipped and pull in no validator or Node code', async () => {
  const b = await buildBundles();
  assert.ok(b.esmGzipBytes <= 8192, `ESM ${b.esmGzipBytes} B gzipped`);
  assert.ok(b.iifeGzipBytes <= 8192, `IIFE ${b.iifeGzipBytes} B gzipped`);
  for (const code of [b.esm, b.iife]) {
    assert.doesNotMatch(code, /ajv|zod|require\(|Buffer\.|process\.env/i);
    assert.match(code, /\/v1\/batch/);
  }
  assert.match(b.esm, /export\{/, 'the ESM build exports createTracker');
});
