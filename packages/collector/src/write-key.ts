// Finds the write key of a request where the SDKs put it: HTTP Basic auth (username, empty password), the
// `writeKey` query parameter (sendBeacon and pixels cannot set headers), or a `writeKey` field in the body.

/** Recently seen Authorization headers → their write key: an SDK sends the same header on every request. */
const decodedHeaders = new Map<string, string | undefined>();
const DECODED_HEADERS_MAX = 1000;

/** The write key from an `Authorization: Basic base64(writeKey:)` header, if any. */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 7) return undefined;
  if (decodedHeaders.has(header)) return decodedHeaders.get(header);
  const key = decodeBasic(header);
  if (header.length <= 256) {
    if (decodedHeaders.size >= DECODED_HEADERS_MAX) decodedHeaders.clear();
    decodedHeaders.set(header, key);
  }
  return key;
}

function decodeBasic(header: string): string | undefined {
  if (header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const key = colon === -1 ? decoded : decoded.slice(0, colon);
  return key === '' ? undefined : key;
}

/** The write key from the places an SDK may put it, in order: header, query, body. */
export function findWriteKey(authorization: string | undefined, query: unknown, body: unknown): string | undefined {
  const fromHeader = writeKeyFromAuthorization(authorization);
  if (fromHeader !== undefined) return fromHeader;
  const fromQuery = (query as { writeKey?: unknown } | undefined)?.writeKey;
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const fromBody = (body as { writeKey?: unknown }).writeKey;
    if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  }
  return undefined;
}

/** `"writeKey":"…"` in raw bytes, read as Latin-1 (keys are ASCII). */
const RAW_WRITE_KEY = /"writeKey"\s*:\s*"([^"\\]{1,200})"/;

/**
 * The write key a body names, found in its raw bytes when the body as a whole cannot be parsed — anywhere in it
 * (analytics.js puts it last): only unreadable requests take this path, and they are at most the request limit.
 */
export function writeKeyInRawBody(raw: Buffer): string | undefined {
  return RAW_WRITE_KEY.exec(raw.toString('latin1'))?.[1];
}
