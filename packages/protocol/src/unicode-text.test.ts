import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findLoneSurrogate, findNonFiniteNumber, hasLoneSurrogate, replaceLoneSurrogates } from './unicode-text.js';

describe('unpaired surrogates', () => {
  it('tells them from well-formed pairs', () => {
    assert.equal(hasLoneSurrogate('a\ud800b'), true);
    assert.equal(hasLoneSurrogate('\udc00'), true);
    assert.equal(hasLoneSurrogate('emoji 😀 and \ud83d\ude00'), false);
    assert.equal(replaceLoneSurrogates('a\ud800b\udfff😀'), 'a\uFFFDb\uFFFD😀');
  });

  it('finds the first one in a parsed JSON value, keys included, and names where', () => {
    const parsed = JSON.parse('{"type":"track","properties":{"ok":"😀","list":["a","\\ud800x"]},"context":{"b":1}}');
    assert.equal(findLoneSurrogate(parsed), '.properties.list[1]');
    assert.equal(findLoneSurrogate(JSON.parse('{"context":{"a b":{"\\udc00":1}}}')), '.context["a b"]["\uFFFD"]');
    assert.equal(findLoneSurrogate(JSON.parse('{"a":"😀","b":[1,null,true,{"c":"d"}]}')), undefined);
    assert.equal(findLoneSurrogate('\ud800'), '');
  });

  it('walks any nesting JSON.parse accepts', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(50_000)}"\\ud800"${'}'.repeat(50_000)}`);
    assert.equal(findLoneSurrogate(deep)?.length, '.a'.length * 50_000);
  });
});

describe('numbers out of range', () => {
  it('finds the first number JSON.parse could not hold and names where', () => {
    assert.equal(findNonFiniteNumber(JSON.parse('{"a":1e308,"b":{"c d":[0,-1e999]}}')), '.b["c d"][1]');
    assert.equal(findNonFiniteNumber(JSON.parse('{"a":1e308,"b":"1e999","c":[null,true]}')), undefined);
    assert.equal(findNonFiniteNumber(JSON.parse('1e400')), '');
  });
});
