// Loads the configuration once at start-up: schema defaults, then the YAML file, then LENS_* environment
// variables, then explicit overrides (CLI flags). Every error names where the bad value came from — file and
// line, environment variable, or flag — the key, and the problem.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { LensConfig } from './config.js';
import { ConfigError } from './errors.js';

export interface ConfigInputs {
  /** Path of a YAML config file. */
  file?: string;
  /** Environment to read `LENS_*` variables from (pass `process.env`; libraries never read it themselves). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values set by CLI flags, keyed by dotted path (`collector.port`). They win over everything. */
  overrides?: Readonly<Record<string, unknown>>;
}

type Origin = { kind: 'file'; line?: number } | { kind: 'env'; name: string } | { kind: 'flag'; path: string };

/** LENS_* variables read by the CLI rather than the configuration: the config file's path, `lens demo`'s write key. */
export const NON_CONFIG_ENVIRONMENT: readonly string[] = ['LENS_CONFIG', 'LENS_WRITE_KEY'];

/** The candidate nearest to `name` by edit distance, when it is near enough to be the intended one. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 5)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** Every config key that can be set from the environment, with its variable name (LENS_COLLECTOR_PORT). */
export function configEnvironmentVariables(): { name: string; path: string[]; leaf: z.ZodTypeAny }[] {
  const out: { name: string; path: string[]; leaf: z.ZodTypeAny }[] = [];
  const walk = (schema: z.ZodTypeAny, path: string[]): void => {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodTypeAny>))
        walk(child, [...path, key]);
      return;
    }
    out.push({ name: `LENS_${path.map(toScreamingSnake).join('_')}`, path, leaf: inner });
  };
  walk(LensConfig, []);
  return out;
}

/**
 * Builds the validated configuration.
 * @example loadConfig({ file: 'lens.yaml', env: process.env, overrides: { 'collector.port': 9090 } })
 */
export function loadConfig(inputs: ConfigInputs = {}): LensConfig {
  const origins = new Map<string, Origin>();
  let raw: Record<string, unknown> = {};
  let lineOf: (path: (string | number)[]) => number | undefined = () => undefined;
  if (inputs.file !== undefined) ({ raw, lineOf } = readYaml(inputs.file));

  const variables = configEnvironmentVariables();
  const names = variables.map((v) => v.name);
  const badJson: string[] = [];
  for (const { name, path, leaf } of variables) {
    const value = inputs.env?.[name];
    if (value === undefined || value === '') continue;
    const parsedValue = parseEnvValue(value, leaf);
    if (parsedValue instanceof SyntaxError) {
      badJson.push(`environment variable ${name}: not valid JSON (${parsedValue.message})`);
      continue;
    }
    setPath(raw, path, parsedValue);
    origins.set(path.join('.'), { kind: 'env', name });
  }
  // A LENS_* variable that sets nothing is a typo (LENS_COLLECTOR_PROT): refused like an unknown key in the file.
  const known = new Set([...names, ...NON_CONFIG_ENVIRONMENT]);
  const unknownEnv = badJson.concat(
    Object.keys(inputs.env ?? {})
      .filter((name) => name.startsWith('LENS_') && !known.has(name) && inputs.env?.[name] !== '')
      .sort()
      .map((name) => {
        const near = closest(name, names);
        return `environment variable ${name}: sets no configuration key (a typo?${near ? ` did you mean ${near}?` : ''})`;
      }),
  );
  for (const [dotted, value] of Object.entries(inputs.overrides ?? {})) {
    if (value === undefined) continue;
    setPath(raw, dotted.split('.'), value);
    origins.set(dotted, { kind: 'flag', path: dotted });
  }

  const parsed = LensConfig.safeParse(raw);
  if (parsed.success && unknownEnv.length === 0) return parsed.data;
  const issues = parsed.success ? [] : parsed.error.issues;
  const problems = unknownEnv.concat(
    issues.flatMap((issue) => {
      // An unknown key is reported at the key itself (a typo's line), one line per key.
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
      return paths.map((path) => {
        const key = path.join('.') || '(top level)';
        const origin = findOrigin(origins, path) ?? { kind: 'file', line: lineOf(path) };
        const message = issue.code === 'unrecognized_keys' ? 'unknown key (a typo?)' : issue.message;
        return `${describeOrigin(origin, inputs.file)}: ${key}: ${message}`;
      });
    }),
  );
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, {
    context: { file: inputs.file, problems },
  });
}

function readYaml(file: string): {
  raw: Record<string, unknown>;
  lineOf: (path: (string | number)[]) => number | undefined;
} {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `config file ${file}: cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      { cause, context: { file } },
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    const column = first.linePos?.[0]?.col;
    // The parser's message ends its first line with "at line L, column C:" (said once, in front) and follows it
    // with the offending line and a caret under the column, which is kept.
    const [head = '', ...frame] = first.message.split('\n');
    const what = head.replace(/ at line \d+, column \d+:?\s*$/, '');
    const shown = frame.join('\n').replace(/^\n+/, '').trimEnd();
    throw new ConfigError(
      `config file ${file}${line ? ` line ${line}${column ? `, column ${column}` : ''}` : ''}: not valid YAML: ${what}${shown ? `\n${shown}` : ''}`,
      { context: { file, line } },
    );
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${file}: must be a YAML mapping of keys to values`, { context: { file } });
  }
  nullKeysUnset(value as Record<string, unknown>);
  const lineOf = (path: (string | number)[]): number | undefined => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { raw: value as Record<string, unknown>, lineOf };
}

/**
 * A key with no value (`collector:` whose keys are all commented out, `dir: ~`) is not set: its default applies.
 * It used to be refused ("Expected object, received null"). Nulls inside lists are left to the schema.
 */
function nullKeysUnset(mapping: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(mapping)) {
    // Undefined, not deleted: the key is still there for the unknown-key check (a typo without a value).
    if (value === null) mapping[key] = undefined;
    else if (typeof value === 'object' && !Array.isArray(value)) nullKeysUnset(value as Record<string, unknown>);
    else if (Array.isArray(value))
      for (const item of value)
        if (typeof item === 'object' && item !== null && !Array.isArray(item))
          nullKeysUnset(item as Record<string, unknown>);
  }
}

function describeOrigin(origin: Origin, file: string | undefined): string {
  if (origin.kind === 'env') return `environment variable ${origin.name}`;
  if (origin.kind === 'flag') return `command-line option for ${origin.path}`;
  if (file === undefined) return 'configuration';
  return origin.line === undefined ? `config file ${file}` : `config file ${file} line ${origin.line}`;
}

function findOrigin(origins: Map<string, Origin>, path: (string | number)[]): Origin | undefined {
  for (let n = path.length; n > 0; n--) {
    const origin = origins.get(path.slice(0, n).join('.'));
    if (origin) return origin;
  }
  return undefined;
}

/** An environment variable's text as the key's type reads it: a SyntaxError for JSON that does not parse. */
function parseEnvValue(value: string, leaf: z.ZodTypeAny): unknown {
  // Keys holding objects (recs.kv, recs.maxAgeHours, …) take JSON, as lists may.
  const objectLike =
    leaf instanceof z.ZodObject ||
    leaf instanceof z.ZodRecord ||
    leaf instanceof z.ZodUnion ||
    leaf instanceof z.ZodDiscriminatedUnion;
  if ((objectLike && value.trim().startsWith('{')) || (leaf instanceof z.ZodArray && value.trim().startsWith('['))) {
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      return error as SyntaxError;
    }
  }
  if (leaf instanceof z.ZodNumber) return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  if (leaf instanceof z.ZodBoolean)
    return (
      ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[value.toLowerCase()] ?? value
    );
  if (leaf instanceof z.ZodArray) {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  return value;
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault) current = current._def.innerType as z.ZodTypeAny;
    else if (current instanceof z.ZodOptional || current instanceof z.ZodNullable)
      current = current.unwrap() as z.ZodTypeAny;
    else if (current instanceof z.ZodEffects) current = current.innerType() as z.ZodTypeAny;
    else return current;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function toScreamingSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
