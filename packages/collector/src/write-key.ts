// Finds the write key of a request where the SDKs put it: HTTP Basic auth (username, empty password), the
// `writeKey` query parameter (sendBeacon and pixels cannot set headers), or a `writeKey` field in the body.

/** The write key from an `Authorization: Basic base64(writeKey:)` header, if any. */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 7 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
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
