// Worker thread that decodes and maps log records (JSON.parse, quality checks, NDJSON lines): the CPU-heavy,
// stateless part of loading, moved off the main thread. Lines come back UTF-8 encoded in one transferred
// buffer; an event's line embeds the record's own bytes (copied, never decoded and re-encoded).
import { parentPort, workerData } from 'node:worker_threads';
import type { LoaderQualityConfig } from '@lens/protocol';
import { parseTimestampMs } from '@lens/protocol';
import { createBotDetector } from './bot-detector.js';
import { decodePayload, mapAccepted, mapRejected, mapUndecodable } from './record-mapper.js';
import type { MapRequest, MapResult } from './map-pool.js';

const mapper = { quality: (workerData as { quality: LoaderQualityConfig }).quality, bots: createBotDetector() };
const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder();
const CLOSE_LINE = Buffer.from('}\n');
const NEWLINE = 0x0a;

/** A growable output buffer. */
class Out {
  buf: Buffer;
  at = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }
  #room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
  text(s: string): void {
    this.#room(s.length * 3);
    this.at += this.buf.write(s, this.at, 'utf8');
  }
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
}

parentPort?.on('message', (req: MapRequest) => {
  const bytes = new Uint8Array(req.buffer);
  const n = req.offsets.length;
  const out = new Out(bytes.length + n * 160 + 1024);
  const lineEnds = new Uint32Array(n);
  const table = new Uint8Array(n);
  const bots = new Uint8Array(n);
  const codes = new Array<string | null>(n);
  const keyParts: string[] = [];
  const keyEnds = new Uint32Array(2 * n);
  const hasKey = new Uint8Array(n);
  const receivedMsOut = new Float64Array(n);
  let keyAt = 0;
  for (let i = 0, start = 0; i < n; start = req.ends[i]!, i++) {
    const at = { partition: req.partition, offset: req.offsets[i]! };
    let sourceEnd = keyAt;
    const value = bytes.subarray(start, req.ends[i]);
    // Valid UTF-8 starting with '{' is embedded in the line as is; anything else goes through a string.
    let text: string;
    let verbatim = value[0] === 0x7b;
    try {
      text = strict.decode(value);
    } catch {
      text = lenient.decode(value);
      verbatim = false;
    }
    const payload = decodePayload(text);
    let mapped;
    if (typeof payload === 'string') mapped = mapUndecodable(Buffer.from(value), req.timestamps[i]!, at, payload);
    else if (payload.kind === 'rejected') mapped = mapRejected(payload, at);
    else {
      const receivedMs = parseTimestampMs(String(payload.event.receivedAt));
      const { sourceId } = payload;
      const { messageId } = payload.event;
      if (typeof sourceId === 'string' && typeof messageId === 'string') {
        hasKey[i] = 1;
        keyParts.push(sourceId, messageId);
        keyAt += sourceId.length;
        sourceEnd = keyAt;
        keyAt += messageId.length;
        receivedMsOut[i] = Number.isNaN(receivedMs) ? req.timestamps[i]! : receivedMs;
      }
      mapped = mapAccepted(payload, text, at, mapper, receivedMs);
    }
    keyEnds[2 * i] = sourceEnd;
    keyEnds[2 * i + 1] = keyAt;
    if (mapped.table === 'events') {
      table[i] = 1;
      codes[i] = mapped.correction ?? null;
      bots[i] = mapped.isBot ? 1 : 0;
      out.text(mapped.head);
      // A line break inside the record (pretty-printed JSON from some other writer) would split the NDJSON line.
      if (verbatim && value.indexOf(NEWLINE) === -1) out.bytes(value);
      else out.text(text.includes('\n') ? JSON.stringify(payload) : text);
      out.bytes(CLOSE_LINE);
    } else {
      table[i] = 2;
      codes[i] = mapped.code;
      out.text(mapped.line);
      out.text('\n');
    }
    lineEnds[i] = out.at;
  }
  const lineBytes = new Uint8Array(out.at);
  lineBytes.set(out.buf.subarray(0, out.at));
  const result: MapResult = {
    id: req.id,
    table,
    lineBytes,
    lineEnds,
    codes,
    bots,
    keys: { keys: keyParts.join(''), keyEnds, hasKey, receivedMs: receivedMsOut },
  };
  parentPort!.postMessage(result, [
    lineBytes.buffer,
    lineEnds.buffer,
    table.buffer,
    bots.buffer,
    keyEnds.buffer,
    hasKey.buffer,
    receivedMsOut.buffer,
  ]);
});
