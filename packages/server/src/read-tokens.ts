// Bearer-token authentication for the read API: `Authorization: Bearer <token>` must match one of the
// configured read tokens (compared in constant time). With no tokens configured, the API is open.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** True when an Authorization header carries one of `tokens` (always true with no tokens configured). */
export function readTokenCheck(tokens: readonly string[]): (authorization: string | undefined) => boolean {
  const allowed = tokens.map(digest);
  return (authorization) => {
    if (allowed.length === 0) return true;
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    const given = m ? digest(m[1]!.trim()) : undefined;
    return !!given && allowed.some((t) => timingSafeEqual(t, given));
  };
}

/** A preHandler hook that answers 401 unless the request carries a configured read token. */
export function readTokenHook(
  tokens: readonly string[],
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const allowed = readTokenCheck(tokens);
  return async (request, reply) => {
    if (allowed(request.headers.authorization)) return;
    await reply
      .status(401)
      .header('WWW-Authenticate', 'Bearer realm="lens"')
      .send({
        error: {
          code: 'unauthorized',
          message: 'a read token is required: Authorization: Bearer <token> (server.readTokens)',
        },
      });
  };
}
