// Reads a request body with the collector's limits: the bytes on the wire, then decompressed (gzip, deflate,
// br), then checked as UTF-8 and parsed as JSON. Problems are values, not throws, so the route can still
// authenticate the request and keep the raw bytes in the quarantine.
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

const DECOMPRESSORS: Record<string, (buf: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>> = {
  gzip: promisify(gunzip) as never,
  'x-gzip': promisify(gunzip) as never,
  deflate: promisify(inflate) as never,
  br: promisify(brotliDecompress) as never,
};

export type RequestBody =
  | {
      readonly ok: true;
      readonly raw: Buffer;
      /** The JSON text `value` was parsed from: `raw` without a byte order mark. */
      readonly json: Buffer;
      readonly value: unknown;
      /** The text holds a number literal that may be out of a double's range (checked exactly per event). */
      readonly numbersMayOverflow: boolean;
      /**
       * The text may be stored as it came (in a request record): it holds no number literal that may overflow, no
       * escaped surrogate (which may be unpaired) and no `"writeKey"` member (a credential). See NOT_AS_SENT.
       */
      readonly storableAsSent: boolean;
    }
  | {
      readonly ok: false;
      readonly raw: Buffer;
      readonly statusCode: 400 | 413 | 415;
      readonly code: string;
      readonly reason: string;
    };

export interface BodyLimits {
  /** Largest body accepted, on the wire and once decompressed. */
  maxRequestBytes: number;
}

const EMPTY = Buffer.alloc(0);

/** Called once with the body (or what was read of it past the limit), or with the stream's error. */
export type BodyCallback = (error: Error | undefined, bytes: Buffer, overLimit: boolean) => void;

/**
 * Collects the stream up to the limit; past it, stops reading and reports 413 with the bytes read so far. The
 * listeners stay (a request is dropped after its answer) and ignore what comes after the outcome: removing three
 * listeners per request showed in the single-event profile. A callback, not a promise: the ingest routes' every
 * request passes here.
 */
export function readBody(stream: Readable, maxBytes: number, done: BodyCallback): void {
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined; // only for a body of several chunks
  let size = 0;
  let settled = false;
  stream.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
    if (size > maxBytes) {
      settled = true;
      stream.pause();
      done(undefined, chunks === undefined ? first : Buffer.concat(chunks, size), true);
    }
  });
  stream.on('end', () => {
    if (settled) return;
    settled = true;
    done(undefined, chunks === undefined ? (first ?? EMPTY) : Buffer.concat(chunks, size), false);
  });
  stream.on('error', (error: Error) => {
    if (settled) return;
    settled = true;
    done(error, EMPTY, false);
  });
}

/** readBody as a promise. */
export function collectBody(stream: Readable, maxBytes: number): Promise<{ bytes: Buffer; overLimit: boolean }> {
  return new Promise((resolve, reject) =>
    readBody(stream, maxBytes, (error, bytes, overLimit) =>
      error === undefined ? resolve({ bytes, overLimit }) : reject(error),
    ),
  );
}

/**
 * A number literal that may not fit a double (an exponent of three digits or more): rare enough that a match only
 * triggers an exact walk of the parsed events. ~0.2 µs per event of a batch body; a pattern for 309 plain digits
 * in a row cost five times that, so such a literal (309 digits without an exponent) is not caught.
 */
const MAY_OVERFLOW = /\d[eE]\+?\d\d\d/;

/**
 * What keeps a body's text from being stored as it came: MAY_OVERFLOW's literal, an escaped surrogate, a `"writeKey"`
 * member. One scan of the text for the common body, which holds none (~10 µs for a 50 KB batch, where three buffer
 * searches after MAY_OVERFLOW's took ~17); MAY_OVERFLOW runs again only after a match.
 */
const NOT_AS_SENT = /\d[eE]\+?\d\d\d|\\u[dD]|"writeKey"/;

/** True when the body came compressed (a Content-Encoding other than identity): decodeBody must decompress it. */
export function isCompressed(contentEncoding: string | undefined): boolean {
  if (contentEncoding === undefined) return false;
  const encoding = contentEncoding.trim().toLowerCase();
  return encoding !== 'identity' && encoding !== '';
}

/**
 * Decodes a collected body: decompression, UTF-8 and JSON, each with a message saying what is wrong. A body that
 * came uncompressed (isCompressed false) is decoded synchronously by parseBody.
 */
export async function decodeBody(
  wire: Buffer,
  contentEncoding: string | undefined,
  limits: BodyLimits,
): Promise<RequestBody> {
  let bytes = wire;
  if (contentEncoding !== undefined && isCompressed(contentEncoding)) {
    const encoding = contentEncoding.trim().toLowerCase();
    const decompress = DECOMPRESSORS[encoding];
    if (decompress === undefined) {
      return {
        ok: false,
        raw: wire,
        statusCode: 415,
        code: 'unsupported_encoding',
        reason: `Content-Encoding "${encoding}" is not supported (use gzip, deflate or br)`,
      };
    }
    try {
      bytes = await decompress(wire, { maxOutputLength: limits.maxRequestBytes });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        return {
          ok: false,
          raw: wire,
          statusCode: 413,
          code: 'request_too_large',
          reason: `body is larger than ${limits.maxRequestBytes} bytes once decompressed`,
        };
      }
      return {
        ok: false,
        raw: wire,
        statusCode: 400,
        code: 'bad_encoding',
        reason: `body is not valid ${encoding} data: ${(error as Error).message}`,
      };
    }
  }
  return parseBody(bytes);
}

/** Checks a body that is not (or no longer) compressed as UTF-8 and parses it as JSON. */
export function parseBody(bytes: Buffer): RequestBody {
  if (bytes.length === 0)
    return {
      ok: false,
      raw: bytes,
      statusCode: 400,
      code: 'empty_body',
      reason: 'body is empty: expected a JSON object',
    };
  if (!isUtf8(bytes))
    return { ok: false, raw: bytes, statusCode: 400, code: 'invalid_utf8', reason: 'body is not valid UTF-8' };
  // A byte order mark some HTTP clients put first is not part of the JSON text (RFC 8259 lets parsers skip it).
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = bytes.toString('utf8', start);
  try {
    const value = JSON.parse(text) as unknown;
    const plain = !NOT_AS_SENT.test(text);
    return {
      ok: true,
      raw: bytes,
      json: start === 0 ? bytes : bytes.subarray(start),
      value,
      numbersMayOverflow: !plain && MAY_OVERFLOW.test(text),
      storableAsSent: plain,
    };
  } catch (error) {
    return {
      ok: false,
      raw: bytes,
      statusCode: 400,
      code: 'invalid_json',
      reason: `body is not valid JSON: ${(error as Error).message}`,
    };
  }
}
