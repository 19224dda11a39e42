// Options every role command shares (--config, --data, --log-level) and turning them into the validated
// configuration: defaults < config file < LENS_* environment < flags.
import { resolve } from 'node:path';
import { loadConfig, type LensConfig } from '@lens/protocol';
import { Option, type Command } from 'commander';

export interface CommonOptions {
  config?: string;
  data?: string;
  logLevel?: string;
}

/** Adds --config, --data and --log-level to a command. */
export function withCommonOptions(command: Command): Command {
  return command
    .addOption(new Option('-c, --config <file>', 'YAML configuration file').env('LENS_CONFIG'))
    .option('-d, --data <dir>', 'data directory: log, lake and state (default: ./lens-data)')
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    );
}

/** Loads and validates the configuration once; `overrides` are flag values keyed by config path. */
export function resolveConfig(options: CommonOptions, overrides: Record<string, unknown> = {}): LensConfig {
  const config = loadConfig({
    ...(options.config === undefined ? {} : { file: options.config }),
    env: process.env,
    overrides: { dataDir: options.data, logLevel: options.logLevel, ...overrides },
  });
  return { ...config, dataDir: resolve(config.dataDir) };
}

/** Flags to hand to a child `lens` process so it resolves the same configuration. */
export function childArgs(options: CommonOptions, config: LensConfig): string[] {
  return [
    ...(options.config === undefined ? [] : ['--config', options.config]),
    '--data',
    config.dataDir,
    '--log-level',
    config.logLevel,
  ];
}

/** Parses a --port value, with an error naming the flag. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: "${value}" is not a port number (0-65535)`);
  return port;
}

/** A commander option parser for a positive number (an integer when `integer`), with an error naming the flag. */
export function positiveOption(flag: string, integer: boolean): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new Error(`${flag}: "${value}" is not a positive ${integer ? 'integer' : 'number'}`);
    return n;
  };
}

/** Parses a --workers value: a whole number ≥ 0 (0 = one per core), with an error naming the flag. */
export function parseWorkers(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new Error(`--workers: "${value}" is not a number of processes (0 = one per core)`);
  return n;
}

/** A commander option parser for any integer, with an error naming the flag. */
export function integerOption(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n)) throw new Error(`${flag}: "${value}" is not an integer`);
    return n;
  };
}
