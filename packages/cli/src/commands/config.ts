// `lens config`: the configuration Lens would run with — defaults, the file, LENS_* variables and flags merged
// and validated — as YAML, or every environment variable that can set a key.
import { configEnvironmentVariables } from '@lens/protocol';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';

/** Registers `lens config`. */
export function registerConfigCommand(program: Command): void {
  withCommonOptions(
    program
      .command('config')
      .description('print the validated configuration (defaults < file < LENS_* environment < flags) as YAML'),
  )
    .option('--env', 'list the LENS_* environment variable of every key instead')
    .action((flags: CommonOptions & { env?: boolean }) => {
      if (flags.env) {
        process.stdout.write(
          `${configEnvironmentVariables()
            .map((v) => `${v.name.padEnd(48)} ${v.path.join('.')}`)
            .join('\n')}\n`,
        );
        return;
      }
      process.stdout.write(stringify(resolveConfig(flags), hideSecrets));
    });
}

/** Keys whose values are secrets: shown as set, not printed (the output ends up in terminals, tickets and logs). */
const SECRET_KEYS = new Set(['secretAccessKey', 'sessionToken']);

function hideSecrets(key: unknown, value: unknown): unknown {
  return typeof key === 'string' && SECRET_KEYS.has(key) && typeof value === 'string' ? '(hidden)' : value;
}
