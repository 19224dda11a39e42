// Quality checks as pure functions: each failing check with its reason code and message, both timestamp
// actions, and the boundaries (exactly at a limit passes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CollectorLimits, ENRICHMENT_BYTES, LoaderQualityConfig } from '@lens/protocol';
import { checkJsonColumns, checkTimestamp } from './quality-checks.js';

const received = '2026-03-10T12:00:00.000Z';
const receivedMs = Date.parse(received);
const correct = LoaderQualityConfig.parse({});
const quarantine = LoaderQualityConfig.parse({ timestampAction: 'quarantine', maxFutureSeconds: 60, maxPastDays: 7 });

describe('quality checks', () => {
  it('passes timestamps inside the limits, boundaries included', () => {
    assert.deepEqual(checkTimestamp('2026-03-11T12:00:00.000Z', received, receivedMs, correct), {
      kind: 'ok',
      timestamp: '2026-03-11T12:00:00.000Z',
    });
    assert.equal(checkTimestamp('2025-03-10T12:00:00.000Z', received, receivedMs, correct).kind, 'ok');
  });

  it('corrects a timestamp too far in the future or past to receivedAt, keeping what it was', () => {
    assert.deepEqual(checkTimestamp('2026-03-11T12:00:00.001Z', received, receivedMs, correct), {
      kind: 'corrected',
      timestamp: received,
      from: '2026-03-11T12:00:00.001Z',
      code: 'timestamp_in_future',
      reason: `timestamp: 2026-03-11T12:00:00.001Z is 86400 s after receivedAt ${received} (limit 86400 s)`,
    });
    const old = checkTimestamp('2025-03-10T11:59:59.999Z', received, receivedMs, correct);
    assert.equal(old.kind === 'corrected' && old.code, 'timestamp_too_old');
    const invalid = checkTimestamp('yesterday', received, receivedMs, correct);
    assert.deepEqual(invalid.kind === 'corrected' && [invalid.code, invalid.timestamp, invalid.from], [
      'timestamp_invalid',
      received,
      null,
    ]);
  });

  it('quarantines them instead when so configured, with a reason', () => {
    assert.deepEqual(checkTimestamp('2026-03-10T12:01:01.000Z', received, receivedMs, quarantine), {
      kind: 'quarantine',
      code: 'timestamp_in_future',
      reason: `timestamp: 2026-03-10T12:01:01.000Z is 61 s after receivedAt ${received} (limit 60 s)`,
    });
    assert.deepEqual(checkTimestamp('2026-03-01T12:00:00.000Z', received, receivedMs, quarantine), {
      kind: 'quarantine',
      code: 'timestamp_too_old',
      reason: `timestamp: 2026-03-01T12:00:00.000Z is 9 days before receivedAt ${received} (limit 7 days)`,
    });
  });

  it('by default passes every column of an event the collector stored with its default limits', () => {
    const largest = CollectorLimits.parse({}).maxEventBytes + ENRICHMENT_BYTES;
    assert.equal(correct.maxJsonColumnBytes, largest);
    // properties of 33,000 bytes: inside an event the collector acknowledged (≤ 32 KB as sent + its fields).
    assert.equal(checkJsonColumns({ properties: 'x'.repeat(33_000) }, correct.maxJsonColumnBytes), undefined);
    assert.ok(checkJsonColumns({ properties: 'x'.repeat(largest + 1) }, correct.maxJsonColumnBytes));
  });

  it('names the oversized JSON column, counting UTF-8 bytes', () => {
    assert.equal(checkJsonColumns({ context: '{}', properties: 'x'.repeat(100) }, 100), undefined);
    assert.deepEqual(checkJsonColumns({ context: '{}', properties: 'é'.repeat(51) }, 100), {
      code: 'json_column_too_large',
      reason: 'properties: 102 bytes of JSON (limit 100)',
    });
    assert.deepEqual(
      checkJsonColumns({ traits: null, integrations: 'y'.repeat(101) }, 100)?.reason,
      'integrations: 101 bytes of JSON (limit 100)',
    );
  });
});
