// The URL a role announces names the address it listens on.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { roleUrl } from './role-url.js';

it('names the configured host, localhost for every interface, IPv6 in brackets', () => {
  assert.equal(roleUrl('0.0.0.0', 8081), 'http://localhost:8081');
  assert.equal(roleUrl('::', 8082), 'http://localhost:8082');
  assert.equal(roleUrl('127.0.0.1', 18481), 'http://127.0.0.1:18481');
  assert.equal(roleUrl('10.0.0.5', 8080), 'http://10.0.0.5:8080');
  assert.equal(roleUrl('::1', 3000), 'http://[::1]:3000');
});
