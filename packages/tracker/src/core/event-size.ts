// The UTF-8 size of a serialised event, measured without allocating (TextEncoder would copy the string):
// the collector's limits (32 KB per event, 1 MB per request) and the keepalive quota are in bytes.

/** UTF-8 byte length of `text`. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 2;
      i++;
    } // surrogate pair: 4 bytes for 2 units
    else bytes += 2;
  }
  return bytes;
}

/** Serialises an event and measures it: what the queue stores beside the event. */
export function measure<T>(event: T): { e: T; n: number } {
  return { e: event, n: utf8Length(JSON.stringify(event)) };
}
