// Where the browser SDK keeps state: localStorage when the page may use it, else memory (storage blocked,
// quota full, some private modes), plus first-party cookies. Every access is guarded: storage can throw.

/** A string key-value store; `persistent` is false for the in-memory fallback. */
export interface KeyValueStore {
  readonly persistent: boolean;
  get(key: string): string | null;
  /** False when the write failed (quota, blocked). */
  set(key: string, value: string): boolean;
  remove(key: string): void;
  keys(): string[];
}

/** localStorage if it works (probed with a write), otherwise a Map. */
export function createStore(kind: 'localStorage' | 'memory' = 'localStorage'): KeyValueStore {
  const ls = kind === 'localStorage' ? probeLocalStorage() : undefined;
  if (ls) {
    return {
      persistent: true,
      get: (key) => {
        try {
          return ls.getItem(key);
        } catch {
          return null;
        }
      },
      set: (key, value) => {
        try {
          ls.setItem(key, value);
          return true;
        } catch {
          return false;
        }
      },
      remove: (key) => {
        try {
          ls.removeItem(key);
        } catch {
          /* blocked storage: nothing to remove */
        }
      },
      keys: () => {
        try {
          return Object.keys(ls);
        } catch {
          return [];
        }
      },
    };
  }
  const map = new Map<string, string>();
  return {
    persistent: false,
    get: (key) => map.get(key) ?? null,
    set: (key, value) => {
      map.set(key, value);
      return true;
    },
    remove: (key) => {
      map.delete(key);
    },
    keys: () => [...map.keys()],
  };
}

function probeLocalStorage(): Storage | undefined {
  try {
    const ls = globalThis.localStorage;
    ls.setItem('lens.probe', '1');
    ls.removeItem('lens.probe');
    return ls;
  } catch {
    return undefined;
  }
}

/** Cookie settings: `domain` to share across subdomains; `secure` on https pages by default. */
export interface CookieOptions {
  domain?: string;
  secure?: boolean;
  maxAgeDays?: number;
}

export function readCookie(name: string): string | null {
  try {
    for (const part of document.cookie.split('; ')) {
      const eq = part.indexOf('=');
      if (part.slice(0, eq) === name) return decodeURIComponent(part.slice(eq + 1));
    }
  } catch {
    /* sandboxed frames throw on document.cookie */
  }
  return null;
}

export function writeCookie(name: string, value: string | null, options: CookieOptions = {}): void {
  try {
    const maxAge = value === null ? 0 : Math.round((options.maxAgeDays ?? 365) * 86_400);
    const secure = options.secure ?? location.protocol === 'https:';
    document.cookie =
      `${name}=${encodeURIComponent(value ?? '')}; Max-Age=${maxAge}; Path=/; SameSite=Lax` +
      (options.domain ? `; Domain=${options.domain}` : '') +
      (secure ? '; Secure' : '');
  } catch {
    /* as above */
  }
}
