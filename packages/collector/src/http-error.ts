// Errors the collector answers with: a status, a stable code and a message saying what is wrong and where.
// One Fastify error handler turns them (and Fastify's own errors) into JSON bodies.
import { LensError } from '@lens/protocol';

/** An error that maps to an HTTP response. */
export class HttpError extends LensError {
  readonly statusCode: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, {
      cause: options.cause,
      context: { statusCode, code },
      retriable: statusCode >= 500 || statusCode === 429,
    });
    this.statusCode = statusCode;
    this.code = code;
    this.headers = options.headers ?? {};
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  success: false;
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { success: false, error: { code, message } };
}
