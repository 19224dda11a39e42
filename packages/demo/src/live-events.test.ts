// The live stream: deterministic for a seed and start, time-ordered from `start` on, and at the target rate
// on average when the pool of people is large enough.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabelledEvent } from './event-factory.js';
import { liveEvents } from './live-events.js';

const START = Date.parse('2025-05-01T12:00:00Z');

function take(options: Parameters<typeof liveEvents>[0], untilMs: number): LabelledEvent[] {
  const out: LabelledEvent[] = [];
  for (const labelled of liveEvents(options)) {
    if (labelled.time >= untilMs) break;
    out.push(labelled);
  }
  return out;
}

describe('liveEvents', () => {
  it('is deterministic for a seed and start, and time-ordered from start on', () => {
    const a = take({ seed: 11, users: 20_000, rate: 30, start: START }, START + 60_000);
    const b = take({ seed: 11, users: 20_000, rate: 30, start: START }, START + 60_000);
    assert.deepEqual(
      a.map((l) => l.event),
      b.map((l) => l.event),
    );
    let last = START;
    for (const l of a) {
      assert.ok(l.time >= last, 'out of order');
      last = l.time;
    }
  });

  it('produces about the target rate over ten minutes', () => {
    const events = take({ seed: 4, users: 30_000, rate: 40, start: START }, START + 600_000);
    const perSecond = events.length / 600;
    assert.ok(Math.abs(perSecond - 40) < 40 * 0.15, `${perSecond.toFixed(1)} events/s for a target of 40`);
  });
});
