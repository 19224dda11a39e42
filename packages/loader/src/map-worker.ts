// Worker thread that decodes and maps log records (JSON.parse, quality checks, NDJSON lines): the CPU-heavy,
// stateless part of loading, moved off the main thread, which keeps the dedup index and the commits.
import { parentPort, workerData } from 'node:worker_threads';
import type { LoaderQualityConfig } from '@lens/protocol';
import { parseTimestampMs } from '@lens/protocol';
import { createBotDetector } from './bot-detector.js';
import { decodePayload, mapAccepted, mapRejected, mapUndecodable } from './record-mapper.js';
import type { MapRequest, MapResult } from './map-pool.js';

const mapper = { quality: (workerData as { quality: LoaderQualityConfig }).quality, bots: createBotDetector() };
const decoder = new TextDecoder();

parentPort?.on('message', (req: MapRequest) => {
  const bytes = new Uint8Array(req.buffer);
  const n = req.offsets.length;
  const out: MapResult = { id: req.id, table: new Uint8Array(n), lines: new Array<string>(n), codes: new Array<string | null>(n), bots: new Uint8Array(n), sourceIds: new Array<string | null>(n), messageIds: new Array<string | null>(n), receivedMs: new Float64Array(n) };
  for (let i = 0, start = 0; i < n; start = req.ends[i]!, i++) {
    const at = { partition: req.partition, offset: req.offsets[i]! };
    const value = bytes.subarray(start, req.ends[i]);
    const text = decoder.decode(value);
    const payload = decodePayload(text);
    let mapped;
    out.sourceIds[i] = null;
    out.messageIds[i] = null;
    if (typeof payload === 'string') mapped = mapUndecodable(Buffer.from(value), req.timestamps[i]!, at, payload);
    else if (payload.kind === 'rejected') mapped = mapRejected(payload, at);
    else {
      const receivedMs = parseTimestampMs(String(payload.event.receivedAt));
      if (typeof payload.sourceId === 'string' && typeof payload.event.messageId === 'string') {
        out.sourceIds[i] = payload.sourceId;
        out.messageIds[i] = payload.event.messageId;
        out.receivedMs[i] = Number.isNaN(receivedMs) ? req.timestamps[i]! : receivedMs;
      }
      // A line break inside the record (pretty-printed JSON from some other writer) would split the NDJSON line.
      mapped = mapAccepted(payload, text.includes('\n') ? JSON.stringify(payload) : text, at, mapper, receivedMs);
    }
    out.table[i] = mapped.table === 'events' ? 1 : 2;
    out.lines[i] = mapped.line;
    out.codes[i] = mapped.table === 'events' ? (mapped.correction ?? null) : mapped.code;
    out.bots[i] = mapped.table === 'events' && mapped.isBot ? 1 : 0;
  }
  parentPort!.postMessage(out);
});
