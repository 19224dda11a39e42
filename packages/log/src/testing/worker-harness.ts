// Parent side of append-worker: spawns it as a real child process and collects its acknowledgements, so
// crash tests can SIGKILL a writer mid-load and then check every promise it made against the files.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The payload of sequence number `seq` of worker `pid`: recognisable, variable-length, checkable. */
export function workerValue(pid: number, seq: number): Buffer {
  return Buffer.from(`${pid}:${seq}:${'x'.repeat(seq % 200)}`);
}

/** One acknowledged append: offsets `first..last` hold sequence numbers `seq..`. */
export interface WorkerAck {
  first: number;
  last: number;
  seq: number;
}

/** A running append-worker. */
export interface AppendWorker {
  child: ChildProcess;
  partition: Promise<number>;
  pid: number;
  acks: WorkerAck[];
  /** Resolves when at least `n` acks arrived (rejects if the child exits first). */
  waitForAcks(n: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `node append-worker.js <args>` and parses its output line by line. */
export function startAppendWorker(args: {
  dir: string;
  partition?: number;
  concurrency?: number;
  segmentBytes?: number;
  maxAppends?: number;
}): AppendWorker {
  const script = fileURLToPath(new URL('./append-worker.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      script,
      args.dir,
      String(args.partition ?? 'any'),
      String(args.concurrency ?? 8),
      String(args.segmentBytes ?? 65536),
      String(args.maxAppends ?? 0),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const acks: WorkerAck[] = [];
  let err = '';
  let pending = '';
  let resolvePartition!: (p: number) => void;
  const partition = new Promise<number>((resolve) => (resolvePartition = resolve));
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!; // a partial last line is not an acknowledgement yet
    for (const line of lines) {
      const [kind, a, b, c] = line.split(' ');
      if (kind === 'ready') resolvePartition(Number(a));
      if (kind === 'ack') acks.push({ first: Number(a), last: Number(b), seq: Number(c) });
    }
    for (const w of waiters.filter((w) => acks.length >= w.n)) w.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    partition,
    pid: child.pid!,
    acks,
    exited,
    stderr: () => err,
    waitForAcks: (n) =>
      new Promise<void>((resolve, reject) => {
        if (acks.length >= n) return resolve();
        waiters.push({ n, resolve });
        void exited.then((e) =>
          reject(new Error(`worker exited (${JSON.stringify(e)}) after ${acks.length} acks: ${err}`)),
        );
      }),
  };
}
