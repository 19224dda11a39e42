// The hand-written ISO parser agrees with Date.parse on canonical strings, refuses impossible dates, and falls
// back to Date.parse for every other format.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoString, parseTimestampMs } from './timestamp.js';

describe('parseTimestampMs', () => {
  it('agrees with Date.parse on canonical ISO strings across years, months and leap days', () => {
    let t = Date.UTC(1999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 5000; i++, t += 7_654_321_123) {
      const iso = new Date(t).toISOString();
      assert.equal(parseTimestampMs(iso), t, iso);
      assert.equal(parseTimestampMs(iso.replace(/\.\d{3}Z$/, 'Z')), t - (t % 1000), iso);
    }
    assert.equal(parseTimestampMs('2024-02-29T12:00:00.000Z'), Date.UTC(2024, 1, 29, 12));
    // Century leap rules, and years below 100 (which Date.UTC alone would read as 19xx).
    for (const iso of [
      '2000-02-29T00:00:00.000Z',
      '2100-02-28T00:00:00.000Z',
      '0050-06-01T00:00:00.000Z',
      '0000-01-01T00:00:00Z',
    ])
      assert.equal(parseTimestampMs(iso), Date.parse(iso), iso);
    assert.ok(Number.isNaN(parseTimestampMs('2100-02-29T00:00:00.000Z')));
  });

  it('refuses impossible calendar dates and times', () => {
    for (const bad of [
      '2026-02-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T00:60:00.000Z',
      '2025-02-29T00:00:00Z',
    ]) {
      assert.ok(Number.isNaN(parseTimestampMs(bad)), bad);
    }
  });

  it('falls back to Date.parse for other formats, and NaN for garbage', () => {
    for (const other of [
      '2026-01-02T03:04:05+02:00',
      '2026-01-02',
      '2026-01-02T03:04:05.123456Z',
      'Fri, 02 Jan 2026 03:04:05 GMT',
    ]) {
      assert.equal(parseTimestampMs(other), Date.parse(other), other);
    }
    assert.ok(Number.isNaN(parseTimestampMs('yesterday')));
    assert.ok(Number.isNaN(parseTimestampMs('2026-01-0xT03:04:05.678Z')));
  });
});

describe('isoString', () => {
  it('formats as Date#toISOString does, across days, years, the epoch and both ends of years 0-9999', () => {
    const times: number[] = [0, -1, 1, Date.UTC(0, 0, 1) - 1, Date.UTC(2024, 1, 29, 23, 59, 59, 999)];
    times.push(Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -62_198_755_200_001, 8.64e15, -8.64e15);
    for (let i = 0, t = -62_000_000_000_000; i < 20_000; i++, t += 15_623_456_789) times.push(t);
    // Many times within one day, in and out of order, as the events of a request are.
    for (let i = 0, t = Date.UTC(2026, 10, 29); i < 2000; i++) times.push(t + ((i * 7_919_993) % 86_400_000));
    for (const t of times) assert.equal(isoString(t), new Date(t).toISOString(), String(t));
  });

  it('throws as Date does for a time it cannot hold', () => {
    assert.throws(() => isoString(8.64e15 + 1), RangeError);
    assert.throws(() => isoString(Number.NaN), RangeError);
  });
});
