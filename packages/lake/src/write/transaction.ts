// Commits a set of actions as the next table version: exclusive creation of the commit file, and on a lost
// race, conflict checks against each winning commit before retrying one version later (PROTOCOL.md "Creation
// of New Log Entries"). Idempotent writes stop early when a winner already recorded this txn.
import { ConcurrentModificationError } from '../errors.js';
import { parseCommit, serializeCommit, type Action, type TxnAction } from '../log/actions.js';
import { commitKey } from '../log/log-files.js';
import type { ObjectStore } from '../storage/object-store.js';
import { checkConflicts, type ReadSet } from './conflict-checker.js';

/** Outcome of a commit attempt. */
export type CommitResult = { status: 'committed'; version: number } | { status: 'already-committed'; version: number };

/** Retries allowed after lost races before giving up (each retry is one version further). */
const MAX_ATTEMPTS = 1000;

/**
 * Writes `actions` as version `readVersion + 1` or, after non-conflicting concurrent commits, a later one.
 * `commitInfo` is rebuilt per attempt so its `readVersion` stays honest.
 */
export async function commit(
  store: ObjectStore,
  readVersion: number,
  actions: Action[],
  read: ReadSet,
  makeCommitInfo: (version: number) => Action,
  txn?: TxnAction,
): Promise<CommitResult> {
  let version = readVersion + 1;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const body = new TextEncoder().encode(serializeCommit([makeCommitInfo(version), ...actions]));
    if (await store.putIfAbsent(commitKey(version), body)) return { status: 'committed', version };
    const winner = parseCommit(new TextDecoder().decode(await store.get(commitKey(version))));
    if (txn) {
      const seen = winner.find((a) => a.txn?.appId === txn.appId)?.txn;
      if (seen && seen.version >= txn.version) return { status: 'already-committed', version };
    }
    checkConflicts(read, winner, version);
    version += 1;
  }
  throw new ConcurrentModificationError(`gave up after ${MAX_ATTEMPTS} lost commit races`, { readVersion });
}
