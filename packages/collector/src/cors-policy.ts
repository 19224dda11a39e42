// Which browser origins may call the collector, shared by the preflight answers (Fastify's CORS plugin) and the
// headers of the ingest fast path, so both always agree.
import type { OutgoingHttpHeaders } from 'node:http';
import { HttpError } from './http-error.js';

export class CorsPolicy {
  readonly #any: boolean;
  readonly #origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.#any = origins.includes('*');
    this.#origins = new Set(origins);
  }

  allows(origin: string): boolean {
    return this.#any || this.#origins.has(origin);
  }

  /**
   * Throws 403 origin_not_allowed for a request from an origin not listed. CORS alone only stops a page reading
   * the answer: a page elsewhere must not get its events stored either (a text/plain POST, a beacon or a pixel
   * needs no preflight).
   */
  check(origin: string | undefined): void {
    if (origin !== undefined && !this.allows(origin))
      throw new HttpError(
        403,
        'origin_not_allowed',
        `origin ${origin} is not allowed: add it to cors.origins in the collector's configuration`,
      );
  }

  /** Headers for an actual (non-preflight) response to a request from `origin`, if it is allowed. */
  responseHeaders(origin: string | undefined, into: OutgoingHttpHeaders): void {
    if (origin === undefined || !this.allows(origin)) return;
    into['access-control-allow-origin'] = origin;
    into['access-control-allow-credentials'] = 'true';
    into['access-control-expose-headers'] = 'Retry-After';
    into.vary = 'Origin';
  }
}
