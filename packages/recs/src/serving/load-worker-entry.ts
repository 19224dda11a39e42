// The worker thread of `loadRecommendationsInWorker` (load-in-worker.ts): opens a store of its own from the adapter
// options, runs one load, posts the result or the error (name, message, context as plain data) and exits.
import { parentPort, workerData } from 'node:worker_threads';
import { createKeyValueStore } from '../kv/create-key-value-store.js';
import type { LoadWorkerReply, WorkerLoadOptions } from './load-in-worker.js';
import { loadRecommendations } from './load-recommendations.js';

const { kv, ...options } = workerData as WorkerLoadOptions;
let reply: LoadWorkerReply;
try {
  const store = await createKeyValueStore(kv);
  try {
    reply = { ok: true, result: await loadRecommendations({ ...options, store }) };
  } finally {
    await store.close();
  }
} catch (error) {
  const e = error as Error & { context?: Record<string, unknown> };
  let context: Record<string, unknown> = {};
  try {
    context = JSON.parse(JSON.stringify(e?.context ?? {})) as Record<string, unknown>; // plain data crosses threads
  } catch {
    // a context that is not plain data is left behind; the message says what failed
  }
  reply = { ok: false, error: { name: e?.name ?? 'Error', message: e?.message ?? String(error), context } };
}
parentPort!.postMessage(reply);
