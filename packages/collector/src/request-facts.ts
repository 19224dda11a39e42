// What a request tells about every event in it: when it arrived, from which address (the socket's, or the
// left-most X-Forwarded-For entry behind a trusted proxy), and the SDK headers `SentAt` and `AnonymousId`.
import type { IncomingMessage } from 'node:http';
import { isoString, type RequestFacts } from '@lens/protocol';
import type { CollectorContext } from './collector-context.js';

/** The request-level facts enrichment uses, read once per request. */
export function requestFacts(ctx: CollectorContext, req: IncomingMessage, receivedAt: Date): RequestFacts {
  const sentAtHeader = req.headers.sentat;
  const anonymousIdHeader = req.headers.anonymousid;
  let anonymousId: string | undefined;
  if (typeof anonymousIdHeader === 'string' && anonymousIdHeader.length > 0 && anonymousIdHeader.length <= 1400) {
    const decoded = Buffer.from(anonymousIdHeader, 'base64').toString('utf8');
    if (decoded.length > 0 && decoded.length <= 1024 && !decoded.includes('\uFFFD')) anonymousId = decoded;
  }
  return {
    receivedAt,
    receivedAtIso: isoString(receivedAt.getTime()),
    requestIp: clientIp(req, ctx.config.trustProxy),
    sentAt: typeof sentAtHeader === 'string' ? sentAtHeader : undefined,
    anonymousId,
    context: undefined,
    integrations: undefined,
  };
}

/** The client's address: the socket's, or with trustProxy the left-most X-Forwarded-For entry (as Fastify does). */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress;
}
