// The one place the app talks HTTP to the Lens server: JSON in and out, non-2xx turned into ApiError
// carrying the server's message so every view can show it.

/** A failed API call: HTTP status plus the server's error message (or the network error's). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A JSON body, or ApiError for a non-2xx answer. */
export async function parseResponse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const b = body as
      | { message?: string; error?: string | { message?: string; issues?: { field?: string; message?: string }[] } }
      | string
      | undefined;
    // A query with several problems: every one of them, not only the first the message names.
    const issues = typeof b === 'object' && typeof b.error === 'object' ? b.error.issues : undefined;
    const message =
      typeof b === 'string'
        ? b
        : (issueList(issues) ??
          (typeof b?.error === 'object' ? b.error.message : undefined) ??
          b?.message ??
          (typeof b?.error === 'string' ? b.error : undefined) ??
          response.statusText);
    throw new ApiError(response.status, message || `HTTP ${response.status}`, body);
  }
  return body as T;
}

/** `field: problem; field: problem` for two or more validation issues, else undefined (the message says it). */
function issueList(issues: { field?: string; message?: string }[] | undefined): string | undefined {
  if (!Array.isArray(issues) || issues.length < 2) return undefined;
  return issues.map((i) => (i.field ? `${i.field}: ${i.message ?? 'invalid'}` : (i.message ?? 'invalid'))).join('; ');
}

const TOKEN_KEY = 'lens.readToken';

/** The read token this browser stored (servers with `server.readTokens` answer 401 without one). */
export function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Stores (or with '' forgets) the read token sent as `Authorization: Bearer`. */
export function setReadToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* private mode */
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = readToken();
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

/** GET a JSON resource. */
export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  return parseResponse<T>(await fetch(path, { signal, headers: headers() }));
}

/** POST a JSON body, get JSON back. */
export async function apiPost<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return parseResponse<T>(
    await fetch(path, {
      method: 'POST',
      signal,
      body: JSON.stringify(body),
      headers: headers({ 'content-type': 'application/json' }),
    }),
  );
}
