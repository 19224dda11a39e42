// The visitor's identity without a browser (in-memory store): an identify that cannot be stored changes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../core/types.js';
import { createStore } from './browser-storage.js';
import { IdentityStore } from './identity-store.js';

describe('IdentityStore.identify', () => {
  it('traits JSON cannot hold (a circular object, a BigInt) leave the identity as it was', () => {
    const store = createStore('memory');
    const identity = new IdentityStore(store, 'lens', {}, true);
    identity.identify('u1', { plan: 'pro' });
    const user: Record<string, unknown> = { name: 'Ann' };
    user['self'] = user;
    assert.throws(() => identity.identify('u2', user as JsonObject));
    assert.throws(() => identity.identify(undefined, { id: 1n } as unknown as JsonObject));
    // Every later event carries these traits in its context: they must stay serialisable, or every event is lost.
    assert.equal(identity.userId, 'u1');
    assert.deepEqual(identity.traits, { plan: 'pro' });
    assert.equal(JSON.stringify(identity.traits), '{"plan":"pro"}');
    assert.equal(store.get('lens.uid'), 'u1');
  });

  it('a new user starts with its own traits; the same user merges them', () => {
    const identity = new IdentityStore(createStore('memory'), 'lens', {}, true);
    identity.identify('u1', { a: 1 });
    identity.identify('u1', { b: 2 });
    assert.deepEqual(identity.traits, { a: 1, b: 2 });
    identity.identify('u2', { c: 3 });
    assert.deepEqual([identity.userId, identity.traits], ['u2', { c: 3 }]);
  });
});
