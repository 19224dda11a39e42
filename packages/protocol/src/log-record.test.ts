// The accepted record's layout is a contract with the loader: the head comes first, every head value is a JSON
// string (so the first `,"event":` ends it), and the fast builders write exactly what JSON.stringify would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnrichedEvent } from './event.js';
import {
  ACCEPTED_EVENT_KEY,
  acceptedHead,
  acceptedHeadJson,
  acceptedRecordPrefix,
  customFields,
  encodeAcceptedRecord,
  encodeLogRecord,
  jsonString,
} from './log-record.js';

const base: EnrichedEvent = {
  type: 'track',
  event: 'Clicked',
  messageId: 'm-1',
  anonymousId: 'a-1',
  receivedAt: '2026-01-02T03:04:05.678Z',
  timestamp: '2026-01-02T03:04:05.000Z',
};

const EVENTS: EnrichedEvent[] = [
  base,
  { ...base, context: { userAgent: 'Mozilla/5.0 "quoted" \\ back', ip: '1.2.3.4' } },
  { ...base, context: { userAgent: 42 } },
  {
    ...base,
    messageId: 'ünïcødé \u2028 ,"event":{ tricky',
    channel: 'web',
    rudderId: 'r-1',
    nested: { event: { a: 1 } },
  },
  { ...base, gone: undefined, kept: null },
];

describe('accepted log records', () => {
  it('acceptedHeadJson writes what JSON.stringify(acceptedHead) writes', () => {
    for (const event of EVENTS) assert.equal(acceptedHeadJson(event), JSON.stringify(acceptedHead(event)));
    assert.deepEqual(JSON.parse(acceptedHeadJson(EVENTS[3]!)), {
      messageId: EVENTS[3]!.messageId,
      type: 'track',
      receivedAt: base.receivedAt,
      timestamp: base.timestamp,
      custom: '{"channel":"web","rudderId":"r-1","nested":{"event":{"a":1}}}',
    });
    assert.equal(JSON.parse(acceptedHeadJson(EVENTS[4]!)).custom, '{"kept":null}');
  });

  it('keeps a top-level field named __proto__ as a field', () => {
    const event = JSON.parse('{"type":"track","__proto__":{"polluted":1},"constructor":2}') as EnrichedEvent;
    assert.equal(JSON.stringify(customFields(event)), '{"__proto__":{"polluted":1},"constructor":2}');
    assert.equal(
      JSON.parse(acceptedHeadJson({ ...base, ...event })).custom,
      '{"__proto__":{"polluted":1},"constructor":2}',
    );
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('put the head before the event, ending at the first `,"event":`', () => {
    for (const event of EVENTS) {
      const text = encodeAcceptedRecord(
        acceptedRecordPrefix('web', '203.0.113.7'),
        acceptedHeadJson(event),
        JSON.stringify(event),
      );
      assert.equal(
        text,
        encodeLogRecord({ v: 2, kind: 'event', sourceId: 'web', requestIp: '203.0.113.7', event }).toString(),
      );
      const record = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(record), ['v', 'kind', 'sourceId', 'requestIp', 'head', 'event']);
      assert.deepEqual(record['event'], JSON.parse(JSON.stringify(event)));
      const headEnd = text.indexOf(ACCEPTED_EVENT_KEY);
      const withoutEvent = Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'event'));
      assert.deepEqual(JSON.parse(`${text.slice(0, headEnd)}}`), withoutEvent);
    }
  });
});

describe('jsonString', () => {
  it('writes every single UTF-16 code unit as JSON.stringify does', () => {
    for (let unit = 0; unit <= 0xffff; unit++) {
      const text = String.fromCharCode(unit);
      assert.equal(jsonString(text), JSON.stringify(text), `U+${unit.toString(16)}`);
    }
  });

  it('writes strings mixing plain and escaped characters as JSON.stringify does', () => {
    const pieces = [
      'a',
      'é',
      '"',
      '\\',
      '\n',
      '\u0000',
      '\u001f',
      ' ',
      '😀',
      '\ud83d',
      '\ude00',
      '/',
      '\u2028',
      '2026-11-29T06:00:00.000Z',
    ];
    for (let i = 0; i < 5000; i++) {
      let text = '';
      for (let n = (i * 7) % 6; n >= 0; n--) text += pieces[(i * 31 + n * 17) % pieces.length];
      assert.equal(jsonString(text), JSON.stringify(text), JSON.stringify(text));
    }
    assert.equal(jsonString(''), '""');
  });
});
