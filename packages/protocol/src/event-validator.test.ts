// Each validation rule of the event schema, with the reason it gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEvent } from './event-validator.js';

const reason = (input: unknown): string | undefined => {
  const result = validateEvent(input, 'batch[0]');
  return result.ok ? undefined : result.reason;
};

describe('validateEvent', () => {
  it('accepts well-formed events of every type', () => {
    for (const event of [
      { type: 'track', userId: 'u', event: 'E' },
      { type: 'identify', anonymousId: 'a', traits: {} },
      { type: 'page', userId: 7, name: null },
      { type: 'screen', anonymousId: 'a', name: 'S' },
      { type: 'group', userId: 'u', groupId: 'g' },
      { type: 'alias', userId: 'u', previousId: 'p' },
    ])
      assert.equal(reason(event), undefined, JSON.stringify(event));
  });

  it('gives a reason naming the field for each rule', () => {
    assert.equal(
      reason({ type: 'click', userId: 'u' }),
      'batch[0].type: must be one of track, identify, page, screen, group, alias',
    );
    assert.equal(reason({ userId: 'u' }), 'batch[0].type: required');
    assert.equal(reason({ type: 'page' }), 'batch[0]: needs a userId or an anonymousId');
    assert.equal(reason({ type: 'page', userId: '', anonymousId: null }), 'batch[0]: needs a userId or an anonymousId');
    assert.equal(reason({ type: 'track', userId: 'u' }), 'batch[0].event: required for type "track"');
    assert.equal(reason({ type: 'track', userId: 'u', event: '' }), 'batch[0].event: required for type "track"');
    assert.equal(reason({ type: 'alias', userId: 'u' }), 'batch[0].previousId: required for type "alias"');
    assert.equal(reason({ type: 'group', userId: 'u' }), 'batch[0].groupId: required for type "group"');
    assert.equal(
      reason({ type: 'track', userId: 'u', event: 'e', properties: [] }),
      'batch[0].properties: must be object or null',
    );
    assert.equal(reason({ type: 'identify', userId: 'u', traits: 'x' }), 'batch[0].traits: must be object or null');
    assert.equal(reason({ type: 'page', userId: 'u', context: [] }), 'batch[0].context: must be object or null');
    assert.equal(validateEvent({ type: 'page', userId: 'u', properties: null, context: null }).ok, true);
    assert.equal(reason({ type: 'page', userId: { id: 1 } }), 'batch[0].userId: must be string or number or null');
    assert.equal(
      reason({ type: 'page', userId: 'u', messageId: 'x'.repeat(101) }),
      'batch[0].messageId: longer than 100 characters',
    );
    assert.equal(
      reason({ type: 'page', userId: 'u', timestamp: 'not a date' }),
      'batch[0].timestamp: not a parseable ISO-8601 timestamp',
    );
    assert.equal(reason({ type: 'page', userId: 'u', sentAt: 1700000000 }), 'batch[0].sentAt: must be string or null');
    assert.equal(reason(['x']), 'batch[0]: must be a JSON object, got an array');
    assert.equal(reason(null), 'batch[0]: must be a JSON object, got null');
  });

  it('returns a stable code with each rejection', () => {
    const result = validateEvent({ type: 'track', userId: 'u' });
    assert.deepEqual(result, { ok: false, code: 'missing_required', reason: 'event.event: required for type "track"' });
  });
});
