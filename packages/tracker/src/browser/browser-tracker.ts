// The browser SDK: analytics.js-style calls that only record (arguments, time, URL) and return; a deferred
// drain builds events into the persistent, per-tab DeliveryQueue; pagehide sends what is left with keepalive.
import { DeliveryQueue } from '../core/delivery-queue.js';
import { measure } from '../core/event-size.js';
import { sendBatch, type FetchLike } from '../core/send-batch.js';
import type { CallOptions, DropReason, JsonObject, TrackerStats, TrackingEvent } from '../core/types.js';
import { createStore, type KeyValueStore } from './browser-storage.js';
import { buildEvent, type RecordedCall } from './call-builder.js';
import { IdentityStore } from './identity-store.js';
import { DEFAULTS, type LoadOptions } from './load-options.js';
import { watchPageViews } from './page-view-tracker.js';
import { TabQueueStore } from './tab-queue-store.js';

/** The tracker's API (the analytics.js family). No method throws; calls before `load` are queued. */
export interface Tracker {
  load(writeKey: string, collectorUrl: string, options?: LoadOptions): void;
  /**
   * Every event call takes a callback last (in place of any optional argument, as analytics.js does), called once
   * the event is in the persistent queue, or dropped: it then survives the page going away, so a link handler can
   * navigate from the callback. A callback that throws goes to `onError`.
   */
  track(event: string, properties?: JsonObject, options?: CallOptions, callback?: Callback): void;
  /** `page([category], [name], [properties], [options], [callback])`; page properties (url, path, title…) are added. */
  page(...args: unknown[]): void;
  screen(name: string, properties?: JsonObject, options?: CallOptions, callback?: Callback): void;
  identify(userIdOrTraits?: string | JsonObject, traits?: JsonObject, options?: CallOptions, callback?: Callback): void;
  group(groupId: string, traits?: JsonObject, options?: CallOptions, callback?: Callback): void;
  alias(to: string, from?: string, options?: CallOptions, callback?: Callback): void;
  reset(): void;
  /** Adopts an anonymousId (a server-issued one, say) for the events called after it, and stores it. */
  setAnonymousId(id: string): void;
  /** Calls `callback` once the tracker has loaded (at once, asynchronously, when it has): then `user()` is known. */
  ready(callback: Callback): void;
  /**
   * Sends what is queued now; resolves true once it is delivered or dropped. Offline or with the collector down
   * that waits for as long as the outage: with `timeoutMs` it resolves false after that long instead (the events
   * stay queued and keep being retried).
   */
  flush(options?: { timeoutMs?: number }): Promise<boolean>;
  /** Consent: stop (and forget ids and queued events) / resume tracking; remembered across visits. */
  optOut(): void;
  optIn(): void;
  /** The visitor, shaped as analytics.js's `user()`: `user().anonymousId()`, `.id()`, `.traits()`. */
  user(): TrackerUser;
  stats(): TrackerStats;
}

/**
 * The visitor as `user()` gives it. The methods read the identity when called (after the calls made before them);
 * `anonymousId(id)` sets it, as analytics.js's does. `userId` is a property too (as `user()` gave it before).
 * All are null (traits empty) before load and while opted out.
 */
export interface TrackerUser {
  anonymousId(id?: string): string | null;
  id(): string | null;
  traits(): JsonObject;
  userId: string | null;
}

/** What the event calls and `ready` call back (with no argument). */
export type Callback = () => void;

const NO_USER: TrackerUser = { anonymousId: () => null, id: () => null, traits: () => ({}), userId: null };

/** Calls made before load are kept up to this many (then counted as dropped). */
const MAX_PENDING = 1000;

interface Loaded {
  queue: DeliveryQueue;
  identity: IdentityStore;
  store: KeyValueStore;
  prefix: string;
  options: LoadOptions;
  optedOut: boolean;
}

/**
 * An object argument as it would be sent now: events are built later (in the deferred drain), and a page may
 * change or reuse the object it passed (`props.step++; lens.track('Step', props)`), so it is copied at the call.
 * A JSON copy keeps exactly what would be sent; what JSON cannot copy (a cycle, a BigInt) stays as it is and is
 * counted invalid when the event is built, as before. Calls the snippet's stub queued before the SDK loaded are
 * copied at load.
 */
function asSentNow(arg: unknown): unknown {
  if (typeof arg !== 'object' || arg === null) return arg;
  try {
    return JSON.parse(JSON.stringify(arg)) as unknown;
  } catch {
    return arg;
  }
}

/**
 * Creates a tracker; `preloaded` replays calls a snippet stub recorded before the script loaded.
 * @example
 * const lens = createTracker();
 * lens.load('WRITE_KEY', 'https://collect.example.com', { autoPageViews: true });
 * lens.track('Signed Up', { plan: 'pro' });
 */
export function createTracker(preloaded: readonly unknown[][] = []): Tracker {
  let pending: RecordedCall[] = [];
  let state: Loaded | undefined;
  let scheduled = false;
  let lostBeforeLoad = 0;
  let readyCallbacks: Callback[] = [];

  const report = (error: unknown): void => {
    try {
      state?.options.onError?.(error);
    } catch {
      /* never into the page */
    }
  };
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R, fallback: R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (error) {
        report(error);
        return fallback;
      }
    };
  const invoke = (callback: unknown): void => {
    if (typeof callback !== 'function') return;
    try {
      (callback as Callback)();
    } catch (error) {
      report(error);
    }
  };
  /** A call's callback: its function argument (analytics.js takes it in place of any optional argument). */
  const callbackOf = (args: readonly unknown[]): unknown => args.find((a) => typeof a === 'function');
  /** Calls back the calls whose events will never be built (opted out, overflow), on a later task. */
  const callBackLater = (calls: readonly { args: unknown[] }[]): void => {
    const callbacks = calls.map((call) => callbackOf(call.args)).filter(Boolean);
    if (callbacks.length > 0) setTimeout(() => callbacks.forEach(invoke), 0);
  };
  const drop = (reason: DropReason, n = 1): void => {
    if (!state) return;
    state.queue.stats.dropped[reason] += n;
    try {
      state.options.onDrop?.(n, reason);
    } catch {
      /* as above */
    }
  };

  const record = (m: string, args: unknown[], ts = Date.now()): void => {
    if (state?.optedOut) {
      callBackLater([{ args }]);
      return;
    }
    if (pending.length >= MAX_PENDING) {
      if (state) drop('queue_full');
      else lostBeforeLoad++;
      callBackLater([{ args }]);
      return;
    }
    pending.push({ m, args: args.map(asSentNow), snap: { ts, href: location.href, title: document.title } });
    if (state && !scheduled) {
      scheduled = true;
      setTimeout(drain, 0);
    }
  };

  function drain(): void {
    scheduled = false;
    if (!state) return;
    const calls = pending;
    pending = [];
    if (state.optedOut) {
      callBackLater(calls);
      return;
    }
    const out: { e: TrackingEvent; n: number }[] = [];
    const callbacks: unknown[] = [];
    const max = state.options.maxEventBytes ?? DEFAULTS.maxEventBytes;
    for (const call of calls) {
      callbacks.push(callbackOf(call.args));
      try {
        if (call.m === 'optOut' || call.m === 'optIn') {
          // Consent given or withdrawn before load applies in call order: an opt-out discards what came before.
          setConsent(call.m === 'optOut');
          if (state.optedOut) out.length = 0;
          continue;
        }
        if (state.optedOut) continue;
        const event = buildEvent(call, state.identity);
        if (event === null) drop('invalid');
        else if (event) {
          const measured = measure(event);
          if (measured.n > max) drop('too_large');
          else out.push(measured);
        }
      } catch (error) {
        report(error);
        drop('invalid');
      } // e.g. circular properties
    }
    if (out.length > 0) state.queue.add(out);
    // After the queue (and its copy in localStorage) holds the events: the callbacks may navigate away.
    callbacks.forEach(invoke);
  }

  function load(writeKey: string, collectorUrl: string, options: LoadOptions = {}): void {
    if (state) return;
    const store = createStore(options.persistence);
    const prefix = options.storagePrefix ?? 'lens';
    const consent = store.get(`${prefix}.optout`);
    const optedOut = consent === '1' || (consent === null && options.optOut === true);
    // persistence: 'memory' keeps the visitor nowhere: no cookies either.
    const identity = new IdentityStore(
      store,
      prefix,
      options.persistence === 'memory'
        ? undefined
        : { ...(options.cookieDomain ? { domain: options.cookieDomain } : {}) },
      !optedOut,
    );
    // Settle the visitor id now (a cookie and a localStorage write), not at the first event: a second tab
    // opened meanwhile must find it, or the same browser would count as two visitors.
    if (!optedOut) void identity.anonymousId;
    const tabs = new TabQueueStore(store, prefix, report);
    const endpoint = `${collectorUrl.replace(/\/+$/, '')}/v1/batch`;
    const o = { ...DEFAULTS, ...options };
    const queue = new DeliveryQueue({
      ...o,
      // text/plain and no custom header: a CORS "simple request", so no preflight round trip (the write key travels
      // in the body). keepalive only for the sends made as the page goes away: the browser allows 64 KiB of
      // keepalive bodies in flight, which ordinary sends would use up.
      send: (batch, keepalive) =>
        sendBatch(fetch as unknown as FetchLike, {
          url: endpoint,
          headers: { 'Content-Type': 'text/plain' },
          keepalive,
          body: JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey }),
        }),
      onChange: (_, change) => tabs.save(change),
      ...(options.onDrop ? { onDrop: options.onDrop } : {}),
      canSend: () => !state?.optedOut && navigator.onLine !== false,
    });
    queue.stats.dropped.queue_full += lostBeforeLoad;
    state = { queue, identity, store, prefix, options, optedOut };
    if (optedOut) pending = [];

    const hide = guard(() => {
      drain();
      queue.sendAllNow();
    }, undefined);
    addEventListener('pagehide', hide);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') hide();
    });
    addEventListener('online', () => queue.kick());
    const adopt = (): void => {
      tabs.adoptOrphans().then((entries) => {
        if (entries.length > 0) queue.add(entries);
      }, report);
    };
    setTimeout(adopt, 0);
    setInterval(adopt, o.adoptIntervalMs);
    if (options.autoPageViews) {
      record('page', []);
      watchPageViews(() => record('page', []));
    }
    if (pending.length > 0 && !scheduled) {
      scheduled = true;
      setTimeout(drain, 0);
    }
    const waiting = readyCallbacks;
    readyCallbacks = [];
    setTimeout(() => waiting.forEach(invoke), 0); // after the drain of the calls made before load
  }

  const setConsent = (optOut: boolean): void => {
    if (!state) {
      record(optOut ? 'optOut' : 'optIn', []);
      return;
    }
    state.optedOut = optOut;
    state.store.set(`${state.prefix}.optout`, optOut ? '1' : '0');
    state.identity.persist = !optOut;
    if (optOut) {
      drop('opted_out', pending.length);
      callBackLater(pending);
      pending = [];
      state.queue.clear('opted_out');
      state.identity.forget();
    } else {
      state.identity.save();
      state.queue.kick();
    }
  };

  const api: Tracker = {
    load: guard(load, undefined),
    track: guard((...args: unknown[]) => record('track', args), undefined),
    page: guard((...args: unknown[]) => record('page', args), undefined),
    screen: guard((...args: unknown[]) => record('screen', args), undefined),
    identify: guard((...args: unknown[]) => record('identify', args), undefined),
    group: guard((...args: unknown[]) => record('group', args), undefined),
    alias: guard((...args: unknown[]) => record('alias', args), undefined),
    reset: guard(() => record('reset', []), undefined),
    setAnonymousId: guard((id: string) => record('setAnonymousId', [id]), undefined),
    ready: guard((callback: Callback) => {
      if (typeof callback !== 'function') return;
      if (state) setTimeout(invoke, 0, callback);
      else readyCallbacks.push(callback);
    }, undefined),
    flush: guard((options?: { timeoutMs?: number }) => {
      drain();
      const flushed = state
        ? state.queue.flush().then(
            () => true,
            (error: unknown) => {
              report(error);
              return false;
            },
          )
        : Promise.resolve(true);
      const ms = options?.timeoutMs;
      if (ms === undefined) return flushed;
      return Promise.race([flushed, new Promise<boolean>((resolve) => setTimeout(resolve, ms, false))]);
    }, Promise.resolve(true)),
    optOut: guard(() => setConsent(true), undefined),
    optIn: guard(() => setConsent(false), undefined),
    user: guard(() => {
      /** The identity once the calls made so far are applied, or undefined (not loaded, opted out). */
      const identity = (): IdentityStore | undefined => (
        drain(),
        state && !state.optedOut ? state.identity : undefined
      );
      return {
        anonymousId: guard((id?: string) => {
          if (id !== undefined) api.setAnonymousId(id);
          return identity()?.anonymousId ?? null;
        }, null),
        id: guard(() => identity()?.userId ?? null, null),
        traits: guard(() => ({ ...identity()?.traits }), {}),
        userId: identity()?.userId ?? null,
      };
    }, NO_USER),
    stats: guard(
      () =>
        JSON.parse(
          JSON.stringify(
            state?.queue.stats ?? {
              queued: pending.length,
              delivered: 0,
              dropped: {
                queue_full: lostBeforeLoad,
                too_large: 0,
                max_attempts: 0,
                rejected_by_collector: 0,
                opted_out: 0,
                invalid: 0,
              },
              retries: 0,
            },
          ),
        ) as TrackerStats,
      undefined as unknown as TrackerStats,
    ),
  };
  for (const call of preloaded) {
    const [m, ts, ...args] = call as [keyof Tracker, number, ...unknown[]];
    if (m === 'load') load(...(args as Parameters<typeof load>));
    else if (m === 'optOut' || m === 'optIn') api[m]();
    else if (m === 'ready') api.ready(args[0] as Callback);
    else if (typeof m === 'string' && m !== 'flush' && m !== 'user' && m !== 'stats')
      guard(record, undefined)(m, args, typeof ts === 'number' ? ts : Date.now());
  }
  return api;
}
