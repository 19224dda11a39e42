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
/** Keys holding a list of secrets: each entry shown as set (how many there are is no secret). */
const SECRET_LIST_KEYS = new Set(['readTokens']);

function hideSecrets(key: unknown, value: unknown): unknown {
  if (typeof key !== 'string') return value;
  if (SECRET_KEYS.has(key) && typeof value === 'string') return '(hidden)';
  if (SECRET_LIST_KEYS.has(key) && Array.isArray(value)) return value.map(() => '(hidden)');
  return value;
}
