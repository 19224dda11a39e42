// Who the visitor is: an anonymousId kept in a first-party cookie and in localStorage (either one surviving
// restores the other, as the well-known SDKs do), and the userId and traits set by identify.
import { uuid } from '../core/message-id.js';
import type { JsonObject } from '../core/types.js';
import { readCookie, writeCookie, type CookieOptions, type KeyValueStore } from './browser-storage.js';

/** See the file header. Writes nothing while `persist` is false (opted out). */
export class IdentityStore {
  #anonymousId: string | undefined;
  userId: string | null;
  traits: JsonObject;

  constructor(
    readonly store: KeyValueStore,
    readonly prefix: string,
    readonly cookie: CookieOptions,
    public persist: boolean,
  ) {
    this.userId = store.get(`${prefix}.uid`);
    this.traits = parseObject(store.get(`${prefix}.traits`));
  }

  get anonymousId(): string {
    if (this.#anonymousId === undefined) {
      const id = readCookie(`${this.prefix}_aid`) ?? this.store.get(`${this.prefix}.aid`) ?? uuid();
      this.setAnonymousId(id);
    }
    return this.#anonymousId!;
  }

  setAnonymousId(id: string): void {
    this.#anonymousId = id;
    if (!this.persist) return;
    writeCookie(`${this.prefix}_aid`, id, this.cookie);
    this.store.set(`${this.prefix}.aid`, id);
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
    for (const key of ['aid', 'uid', 'traits']) this.store.remove(`${this.prefix}.${key}`);
    writeCookie(`${this.prefix}_aid`, null, this.cookie);
    this.#anonymousId = undefined;
    this.userId = null;
    this.traits = {};
  }

  save(): void {
    if (!this.persist) return;
    if (this.userId === null) this.store.remove(`${this.prefix}.uid`);
    else this.store.set(`${this.prefix}.uid`, this.userId);
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
