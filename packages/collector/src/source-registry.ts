// Resolves write keys to configured sources. Disabled sources are unknown to the collector.
import type { SourceConfig } from '@lens/protocol';

export class SourceRegistry {
  readonly #byWriteKey: ReadonlyMap<string, SourceConfig>;

  constructor(sources: readonly SourceConfig[]) {
    this.#byWriteKey = new Map(sources.filter((s) => s.enabled).map((s) => [s.writeKey, s]));
  }

  /** The enabled source holding this write key, if any. */
  byWriteKey(writeKey: string | undefined): SourceConfig | undefined {
    return writeKey === undefined ? undefined : this.#byWriteKey.get(writeKey);
  }
}
