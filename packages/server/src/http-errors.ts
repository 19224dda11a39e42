// Turns every failure into a JSON answer saying what is wrong: typed errors map to a status by class (a bad
// query 400 naming the field, refused SQL 400, unknown kind or missing table 404, timeout 504), Fastify's own
// errors keep their status, anything else is a 500 that is logged.
import {
  InsightQueryError,
  QueryTimeoutError,
  SqlFailedError,
  SqlRefusedError,
  TableMissingError,
  UnknownInsightError,
} from '@lens/insights';
import { LensError } from '@lens/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ServerLogger } from './server-logger.js';

/** An error with an HTTP status, for routes and plugins. */
export class HttpError extends LensError {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message, { context: { statusCode, code }, retriable: statusCode >= 500 });
  }
}

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; issues?: readonly { field: string; message: string }[] };
}

/** Status, code and body for an error. */
export function errorAnswer(error: unknown): { status: number; body: ErrorBody } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InsightQueryError)
    return {
      status: 400,
      body: { error: { code: 'invalid_query', message, field: error.field, issues: error.issues } },
    };
  if (error instanceof SqlRefusedError) return { status: 400, body: { error: { code: 'sql_refused', message } } };
  if (error instanceof SqlFailedError) return { status: 400, body: { error: { code: 'sql_failed', message } } };
  if (error instanceof UnknownInsightError)
    return { status: 404, body: { error: { code: 'unknown_insight', message } } };
  if (error instanceof TableMissingError) return { status: 404, body: { error: { code: 'table_not_found', message } } };
  if (error instanceof QueryTimeoutError) return { status: 504, body: { error: { code: 'query_timeout', message } } };
  if (error instanceof HttpError) return { status: error.statusCode, body: { error: { code: error.code, message } } };
  const fastify = error as Partial<FastifyError>;
  // Fastify's own body errors, in the documented codes (its message names application/json whatever was sent).
  if (fastify.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastify.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return {
      status: 400,
      body: {
        error: {
          code: 'invalid_json',
          message:
            fastify.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
              ? 'request body: empty; send a JSON object'
              : 'request body: not valid JSON',
        },
      },
    };
  if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return {
      status: 415,
      body: {
        error: { code: 'unsupported_media_type', message: `${message}; send JSON (application/json or text/plain)` },
      },
    };
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, body: { error: { code: 'body_too_large', message } } };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode < 500) {
    return {
      status: fastify.statusCode,
      body: { error: { code: (fastify.code ?? 'bad_request').toLowerCase(), message } },
    };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error (logged)' } } };
}

/** Installs the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance, logger: ServerLogger): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = errorAnswer(error);
    if (status >= 500) logger.error({ err: error, url: request.url }, 'server_request_failed');
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
}
