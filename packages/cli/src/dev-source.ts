// With no sources configured, Lens runs with one development source whose write key is created once and kept
// in the data directory, so restarts (and the collector processes `lens up` starts) agree on it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceConfig, type LensConfig } from '@lens/protocol';

export const DEV_SOURCE_FILE = 'dev-source.json';

/** The configured sources, or the development source (created on first use). */
export function sourcesOrDevSource(config: LensConfig): { sources: SourceConfig[]; devSource?: SourceConfig } {
  if (config.sources.length > 0) return { sources: config.sources };
  const file = join(config.dataDir, DEV_SOURCE_FILE);
  let devSource: SourceConfig;
  try {
    devSource = SourceConfig.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The file could not be read (the data directory is a file, or unreadable): deleting it would not help.
    if (code !== undefined && code !== 'ENOENT')
      throw new Error(
        `${file}: cannot be read (${code}): is the data directory ${config.dataDir} a writable directory?`,
        {
          cause: error,
        },
      );
    if (code !== 'ENOENT')
      throw new Error(
        `${file}: not a valid development source (${(error as Error).message}); delete it to create a new one`,
        { cause: error },
      );
    devSource = {
      id: 'dev',
      name: 'Development source',
      writeKey: `dev_${randomBytes(12).toString('hex')}`,
      enabled: true,
    };
    mkdirSync(config.dataDir, { recursive: true });
    try {
      writeFileSync(file, `${JSON.stringify(devSource, null, 2)}\n`, { flag: 'wx' });
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      devSource = SourceConfig.parse(JSON.parse(readFileSync(file, 'utf8')));
    }
  }
  return { sources: [devSource], devSource };
}

/**
 * The source demo traffic is sent as (`lens up --demo`, `lens demo`): the first enabled one. The first listed may be
 * disabled (`enabled: false`), and the collector refuses its key: every demo batch failed with 401.
 */
export function demoSource(sources: readonly SourceConfig[]): SourceConfig | undefined {
  return sources.find((source) => source.enabled) ?? sources[0];
}

/** The lines `lens up` prints so a newcomer can send an event at once. */
export function devSourceBanner(source: SourceConfig, collectorUrl: string): string {
  return [
    `Development source "${source.id}" (no sources configured) — write key: ${source.writeKey}`,
    'Send an event:',
    `  curl -u '${source.writeKey}:' -H 'Content-Type: application/json' ${collectorUrl}/v1/track -d '{"userId":"user-1","event":"Hello Lens","properties":{"from":"curl"}}'`,
  ].join('\n');
}
