// Worker thread that decodes and maps log records (quality checks, NDJSON lines): the CPU-heavy, stateless part
// of loading, moved off the main thread. Lines come back UTF-8 encoded in one transferred buffer. A version-2
// accepted record is mapped from its head alone (a few hundred bytes parsed instead of the whole event: the lake
// engine parses the event anyway) and its line embeds the record's own bytes (copied, never decoded and
// re-encoded); a request record (version 3) is parsed whole, its events enriched (acceptedEvents) and each
// encoded into a line of its own; anything else is parsed whole.
import { isUtf8 } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import type { AcceptedHead, AcceptedRecord, LoaderQualityConfig } from '@lens/protocol';
import {
  ACCEPTED_EVENT_KEY,
  ACCEPTED_HEAD_KEY,
  ACCEPTED_RECORD_START,
  LogRecordFormatError,
  acceptedEvents,
  parseTimestampMs,
} from '@lens/protocol';
import { createBotDetector } from './bot-detector.js';
import {
  decodePayload,
  mapAccepted,
  mapAcceptedHead,
  mapRejected,
  mapUndecodable,
  storedMessageId,
  type LogPosition,
  type MappedRecord,
} from './record-mapper.js';
import type { MapRequest, MapResult } from './map-pool.js';

const mapper = { quality: (workerData as { quality: LoaderQualityConfig }).quality, bots: createBotDetector() };
const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder();
const CLOSE_LINE = Buffer.from('}\n');
const NEWLINE = 0x0a;
/** How every version-2 accepted record starts (acceptedRecordPrefix), and what ends its head. */
const HEAD_RECORD_START = Buffer.from(ACCEPTED_RECORD_START);
const EVENT_KEY = Buffer.from(ACCEPTED_EVENT_KEY);
const HEAD_KEY = Buffer.from(ACCEPTED_HEAD_KEY);

interface HeadMapped {
  mapped: MappedRecord;
  /** The head's bytes, [headFrom, headTo): left out of the line (the line's own fields carry what it said). */
  headFrom: number;
  headTo: number;
  sourceId: string;
  messageId: string;
  receivedMs: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether `value` starts with `prefix` (a JS loop: a native compare costs more than these ~30 bytes). */
function startsWith(value: Uint8Array, prefix: Uint8Array): boolean {
  if (value.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (value[i] !== prefix[i]) return false;
  return true;
}

/** The JSON string starting at `at` (before `limit`) when it holds no escape or control character, else undefined. */
function plainJsonString(value: Buffer, at: number, limit: number): string | undefined {
  if (value[at] !== QUOTE) return undefined;
  const end = value.indexOf(QUOTE, at + 1);
  if (end === -1 || end >= limit) return undefined;
  for (let i = at + 1; i < end; i++) if (value[i] === BACKSLASH || value[i]! < 0x20) return undefined;
  return value.toString('utf8', at + 1, end);
}

/**
 * Maps a version-2 accepted record from its head, or undefined when it is not one or the head cannot decide
 * (then the record is parsed whole). The head ends at the first `,"event":`: every head value is a JSON string,
 * so that text cannot occur inside one. Only the head object is parsed, and the source id read as the plain JSON
 * string it is (anything else takes the whole-record path). `clean`: the request's records are known to be valid
 * UTF-8 without line breaks; else each is checked. The rest of the record's JSON is checked by the lake engine
 * when it reads the line (a batch it refuses is re-checked line by line, see partition-loader).
 */
function mapByHead(value: Buffer, at: LogPosition, clean: boolean): HeadMapped | undefined {
  if (!startsWith(value, HEAD_RECORD_START)) return undefined;
  const headFrom = value.indexOf(HEAD_KEY, HEAD_RECORD_START.length);
  const headEnd = headFrom === -1 ? -1 : value.indexOf(EVENT_KEY, headFrom);
  if (headEnd === -1 || value[value.length - 1] !== 0x7d) return undefined;
  // A line break (never in a collector's JSON) would split the NDJSON line: such a record is parsed whole.
  if (!clean && (value.indexOf(NEWLINE) !== -1 || !isUtf8(value))) return undefined;
  const sourceId = plainJsonString(value, HEAD_RECORD_START.length, headFrom);
  if (sourceId === undefined) return undefined;
  let head: AcceptedHead;
  try {
    head = JSON.parse(value.toString('utf8', headFrom + HEAD_KEY.length, headEnd)) as AcceptedHead;
  } catch {
    return undefined;
  }
  if (typeof head !== 'object' || head === null) return undefined;
  const result = mapAcceptedHead(sourceId, head, value.length, at, mapper);
  if (result === undefined) return undefined;
  return {
    mapped: result.mapped,
    headFrom,
    headTo: headEnd,
    sourceId,
    messageId: head.messageId,
    receivedMs: result.receivedMs,
  };
}

/** Output buffers are allocated in whole MiB, so that one handed back for reuse fits most later reads. */
const OUT_GRAIN = 1 << 20;

/**
 * A growable output buffer: the spare one the main thread handed back when large enough, else a new one. Never
 * from Node's shared pool (allocUnsafeSlow): its memory is transferred to the main thread as is, instead of being
 * copied into an exact-size array first.
 */
class Out {
  buf: Buffer;
  at = 0;
  constructor(capacity: number, spare: ArrayBuffer | undefined) {
    this.buf =
      spare !== undefined && spare.byteLength >= capacity
        ? Buffer.from(spare)
        : Buffer.allocUnsafeSlow(Math.ceil(capacity / OUT_GRAIN) * OUT_GRAIN);
  }
  #room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + n));
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

/** Per-line outputs, grown as lines come (a request record gives one line per event, any other record one). */
class Lines {
  readonly ends: number[] = [];
  readonly table: number[] = [];
  readonly bots: number[] = [];
  readonly codes: (string | null)[] = [];
  readonly keyParts: string[] = [];
  readonly keyEnds: number[] = [];
  readonly hasKey: number[] = [];
  readonly receivedMs: number[] = [];
  readonly offsets: number[] = [];
  #keyAt = 0;

  constructor(readonly out: Out) {}

  /** Writes a mapped record's line; `key` is its dedup key, when it is a sighting. */
  add(
    mapped: MappedRecord,
    offset: number,
    key: { sourceId: string; messageId: string; receivedMs: number } | undefined,
    writeBody: () => void,
  ): void {
    const { out } = this;
    let sourceEnd = this.#keyAt;
    if (key !== undefined) {
      this.keyParts.push(key.sourceId, key.messageId);
      this.#keyAt += key.sourceId.length;
      sourceEnd = this.#keyAt;
      this.#keyAt += key.messageId.length;
    }
    this.hasKey.push(key === undefined ? 0 : 1);
    this.receivedMs.push(key === undefined ? 0 : key.receivedMs);
    this.keyEnds.push(sourceEnd, this.#keyAt);
    this.offsets.push(offset);
    if (mapped.table === 'events') {
      this.table.push(1);
      this.codes.push(mapped.correction ?? null);
      this.bots.push(mapped.isBot ? 1 : 0);
      out.text(mapped.head);
      writeBody();
      out.bytes(CLOSE_LINE);
    } else {
      this.table.push(2);
      this.codes.push(mapped.code);
      this.bots.push(0);
      out.text(mapped.line);
      out.text('\n');
    }
    this.ends.push(out.at);
  }
}

/**
 * Maps one accepted event (a version-1 or -2 record, or one of a request record's, replayed) from the record's
 * text, which its line embeds (`writeBody` writes it otherwise: the record's own bytes). Only an event bound for
 * bronze.events is a sighting: one the checks quarantined leaves no key, so its corrected re-send (same
 * messageId) is loaded instead of dropped as a duplicate of nothing loaded.
 */
function addAccepted(
  lines: Lines,
  payload: AcceptedRecord,
  text: string,
  at: LogPosition,
  appendedMs: number,
  writeBody?: () => void,
): void {
  const receivedMs = parseTimestampMs(String(payload.event.receivedAt));
  const { sourceId } = payload;
  const messageId = storedMessageId(payload);
  const mapped = mapAccepted(payload, text, at, mapper, receivedMs);
  const key =
    mapped.table === 'events' && typeof sourceId === 'string' && typeof messageId === 'string'
      ? { sourceId, messageId, receivedMs: Number.isNaN(receivedMs) ? appendedMs : receivedMs }
      : undefined;
  // A line break inside the record (pretty-printed JSON from some other writer) would split the NDJSON line.
  const write = writeBody ?? ((): void => lines.out.text(text.includes('\n') ? JSON.stringify(payload) : text));
  lines.add(mapped, at.offset, key, write);
}

parentPort?.on('message', (req: MapRequest) => {
  const bytes = Buffer.from(req.buffer);
  const n = req.offsets.length;
  const out = new Out((n === 0 ? 0 : req.ends[n - 1]!) + n * 160 + 1024, req.spare);
  const lines = new Lines(out);
  const firstLine = new Uint32Array(n + 1);
  // Records sit back to back, each head-path one starting with `{` and ending with `}` (ASCII, so no multi-byte
  // character spans two records): when the whole read is valid UTF-8 without a line break, so is every record.
  const records = bytes.subarray(0, n === 0 ? 0 : req.ends[n - 1]);
  const clean = records.indexOf(NEWLINE) === -1 && isUtf8(records);
  for (let i = 0, start = 0; i < n; start = req.ends[i]!, i++) {
    firstLine[i] = lines.ends.length;
    const at = { partition: req.partition, offset: req.offsets[i]! };
    const value = bytes.subarray(start, req.ends[i]);
    const byHead = mapByHead(value, at, clean);
    if (byHead !== undefined) {
      const { sourceId, messageId, receivedMs } = byHead;
      lines.add(byHead.mapped, at.offset, { sourceId, messageId, receivedMs }, () => {
        out.bytes(value.subarray(0, byHead.headFrom));
        out.bytes(value.subarray(byHead.headTo));
      });
      continue;
    }
    // Valid UTF-8 starting with '{' is embedded in the line as is; anything else goes through a string.
    let verbatim = value[0] === 0x7b;
    let text: string;
    try {
      text = strict.decode(value);
    } catch {
      text = lenient.decode(value);
      verbatim = false;
    }
    const payload = decodePayload(text);
    if (typeof payload === 'string') {
      lines.add(mapUndecodable(Buffer.from(value), req.timestamps[i]!, at, payload), at.offset, undefined, noBody);
    } else if (payload.kind === 'rejected') {
      lines.add(mapRejected(payload, at), at.offset, undefined, noBody);
    } else if (payload.kind === 'request') {
      let events: AcceptedRecord[];
      try {
        events = acceptedEvents(payload);
      } catch (error) {
        const detail = error instanceof LogRecordFormatError ? error.message : `request record: ${String(error)}`;
        lines.add(mapUndecodable(Buffer.from(value), req.timestamps[i]!, at, detail), at.offset, undefined, noBody);
        continue;
      }
      // Each event becomes the version-2 record the collector would have written (less its head), as text.
      for (const event of events) {
        let eventText: string;
        try {
          eventText = JSON.stringify(event);
        } catch (error) {
          // Nested past what JSON.stringify takes (the collector writes no such record): kept with the record.
          const { messageId } = event.event;
          const detail = `request record: event ${messageId} cannot be encoded (${(error as Error).message})`;
          lines.add(
            mapUndecodable(Buffer.from(value), req.timestamps[i]!, at, detail, messageId),
            at.offset,
            undefined,
            noBody,
          );
          continue;
        }
        addAccepted(lines, event, eventText, at, req.timestamps[i]!);
      }
    } else if (verbatim && value.indexOf(NEWLINE) === -1) {
      addAccepted(lines, payload, text, at, req.timestamps[i]!, () => out.bytes(value));
    } else addAccepted(lines, payload, text, at, req.timestamps[i]!);
  }
  firstLine[n] = lines.ends.length;
  const lineBytes = new Uint8Array(out.buf.buffer as ArrayBuffer, out.buf.byteOffset, out.at); // never a shared pool's
  const lineEnds = Uint32Array.from(lines.ends);
  const lineOffsets = Float64Array.from(lines.offsets);
  const table = Uint8Array.from(lines.table);
  const bots = Uint8Array.from(lines.bots);
  const keyEnds = Uint32Array.from(lines.keyEnds);
  const hasKey = Uint8Array.from(lines.hasKey);
  const receivedMs = Float64Array.from(lines.receivedMs);
  const result: MapResult = {
    id: req.id,
    firstLine,
    lineOffsets,
    table,
    lineBytes,
    lineEnds,
    codes: lines.codes,
    bots,
    keys: { keys: lines.keyParts.join(''), keyEnds, hasKey, receivedMs },
    input: req.buffer,
  };
  parentPort!.postMessage(result, [
    req.buffer,
    lineBytes.buffer,
    firstLine.buffer,
    lineEnds.buffer,
    lineOffsets.buffer,
    table.buffer,
    bots.buffer,
    keyEnds.buffer,
    hasKey.buffer,
    receivedMs.buffer,
  ]);
});

function noBody(): void {}
