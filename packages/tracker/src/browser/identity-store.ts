// Who the visitor is: an anonymousId kept in a first-party cookie and in localStorage (either one surviving
// restores the other, as the well-known SDKs do), and the userId (cookie and localStorage, as analytics.js keeps
// ajs_user_id) and traits (localStorage) set by identify.
import { uuid } from '../core/message-id.js';
import type { JsonObject } from '../core/types.js';
import { readCookie, writeCookie, type CookieOptions, type KeyValueStore } from './browser-storage.js';

/**
 * See the file header. Writes nothing while `persist` is false (opted out); `cookie` undefined means no cookies
 * read or written (`persistence: 'memory'`).
 */
export class IdentityStore {
  #anonymousId: string | undefined;
  userId: string | null;
  traits: JsonObject;

  constructor(
    readonly store: KeyValueStore,
    readonly prefix: string,
    readonly cookie: CookieOptions | undefined,
    public persist: boolean,
  ) {
    this.userId = this.#read('uid');
    // Either copy restores the other (and a year more of the cookie's life), as for the anonymousId.
    if (this.userId !== null) this.#write('uid', this.userId);
    this.traits = parseObject(store.get(`${prefix}.traits`));
  }

  get anonymousId(): string {
    if (this.#anonymousId === undefined) this.setAnonymousId(this.#read('aid') ?? uuid());
    return this.#anonymousId!;
  }

  setAnonymousId(id: string): void {
    this.#anonymousId = id;
    this.#write('aid', id);
  }

  /** The cookie (`<prefix>_<name>`), else localStorage (`<prefix>.<name>`). */
  #read(name: string): string | null {
    return (this.cookie && readCookie(`${this.prefix}_${name}`)) ?? this.store.get(`${this.prefix}.${name}`);
  }

  /** Writes (null: removes) both copies, unless opted out. */
  #write(name: string, value: string | null): void {
    if (this.persist) this.#put(name, value);
  }

  #put(name: string, value: string | null): void {
    if (this.cookie) writeCookie(`${this.prefix}_${name}`, value, this.cookie);
    if (value === null) this.store.remove(`${this.prefix}.${name}`);
    else this.store.set(`${this.prefix}.${name}`, value);
  }

  /**
   * identify(): a new userId replaces the old one (and its traits); traits merge. Traits JSON cannot hold (a
   * circular object, a BigInt) throw before anything changes: every later event carries the traits in its
   * context, so keeping them would make each of those events unsendable.
   */
  identify(userId: string | null | undefined, traits: JsonObject | undefined): void {
    const newUser = userId !== undefined && userId !== null && userId !== this.userId;
    const base = newUser && this.userId !== null ? {} : this.traits;
    const merged = traits ? { ...base, ...traits } : base;
    JSON.stringify(merged);
    if (newUser) this.userId = userId;
    this.traits = merged;
    this.save();
  }

  /** reset(): forget the user, start a new anonymous visitor. */
  reset(): void {
    this.userId = null;
    this.traits = {};
    this.save();
    this.setAnonymousId(uuid());
  }

  /** Removes every stored identifier (opt-out). */
  forget(): void {
    this.#put('aid', null);
    this.#put('uid', null);
    this.store.remove(`${this.prefix}.traits`);
    this.#anonymousId = undefined;
    this.userId = null;
    this.traits = {};
  }

  save(): void {
    if (!this.persist) return;
    this.#write('uid', this.userId);
    this.store.set(`${this.prefix}.traits`, JSON.stringify(this.traits));
  }
}

function parseObject(text: string | null): JsonObject {
  try {
    const value: unknown = text === null ? null : JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
  } catch {
    return {};
  }
}
