// Test helper: runs `lens <command>` as a child process, the way a user or `lens up` does, and learns the
// port it listens on from its structured log.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LENS_BIN = fileURLToPath(new URL('../../bin/lens.js', import.meta.url));
export const TEST_WRITE_KEY = 'crash-test-write-key';

/** A temp data directory and a config file with one source. */
export function tempLensHome(extraYaml = ''): { dir: string; data: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lens-test-'));
  const config = join(dir, 'lens.yaml');
  writeFileSync(config, `sources:\n  - { id: test, name: Test, writeKey: ${TEST_WRITE_KEY} }\n${extraYaml}`);
  return { dir, data: join(dir, 'data'), config };
}

export interface LensProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
}

/** Starts `lens collector` on a free port and resolves once it listens. */
export async function startLensCollector(
  home: { data: string; config: string },
  extraArgs: string[] = [],
): Promise<LensProcess> {
  const args = ['collector', '--config', home.config, '--data', home.data, '--port', '0', '--log-level', 'info'];
  return startLensRole([...args, ...extraArgs], 'collector_listening', 20_000);
}

/** Starts `lens loader` and resolves once it has started (`port` is its ops port as logged, 0 when off). */
export function startLensLoader(home: { data: string; config: string }): Promise<LensProcess> {
  return startLensRole(
    ['loader', '--config', home.config, '--data', home.data, '--log-level', 'info'],
    'loader_started',
    30_000,
  );
}

/** Runs `lens <args>` and resolves once its log has a line with message `ready` (and the port that line names). */
function startLensRole(args: string[], ready: string, timeoutMs: number): Promise<LensProcess> {
  const child = spawn(process.execPath, [LENS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const role = args[0];
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} did not start:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes(`"msg":"${ready}"`));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve({ child, port: Number(/"port":(\d+)/.exec(line)?.[1] ?? 0), output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited (${code}) before ${ready}:\n${output}`));
    });
  });
}

/** Sends SIGKILL and waits for the process to be gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
