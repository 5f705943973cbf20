import type { StorageGuard } from '../../db/storage-failures.js';
import type { SyncTarget, TeamTarget } from '../../db/sync-target.js';
import type { RefusedRun } from '../../history/refused-run-record.js';
import type { Clock } from '../../core/clock.js';
import type { LockSystem } from '../../core/lock-file.js';

/**
 * Where a sync writes, as the sync job sees it: a SQLite file (sqlite.ts) or a PostgreSQL
 * database (postgres.ts). The job checks it, takes the account's run lock, opens it, syncs into
 * its store and tidies up; what differs between the two is here, not in the job.
 */
export interface SyncStorage {
  /** Refuses a target that cannot be used before anything (even the lock) is written. */
  assertUsable(): Promise<void>;
  /** One sync of the account at a time: AlreadyRunningError (exit 6), or waits with `wait`. */
  lock(options: LockOptions): Promise<HeldSyncLock>;
  /** Opens (and migrates) the target for writing; called under the lock. */
  open(): Promise<OpenSyncStorage>;
  /** A run refused before it started, written to the history if the target exists and takes it. */
  recordRefused(run: RefusedRun, onProblem: (message: string) => void): Promise<void>;
  /** A run the target could not take when it ended (busy): recorded by the next run that can. */
  rememberUnrecorded(err: unknown, run: RefusedRun, onProblem: (message: string) => void): void;
}

export interface LockOptions {
  wait: boolean;
  signal: AbortSignal;
  clock: Clock;
  system: LockSystem;
  onWait: (holder: string) => void;
  onTakeover: (reason: string) => void;
}

export interface HeldSyncLock {
  release(): Promise<void> | void;
}

export interface OpenSyncStorage {
  /** Every call runs under the guard: failures arrive typed. */
  store: SyncTarget;
  teams: TeamTarget;
  guard: StorageGuard;
  /** Runs remembered by refused runs, written now that the target takes writes. */
  recordUnrecorded(onProblem: (message: string) => void): Promise<void>;
  /** Housekeeping at the end of a run (history pruning); problems are only reported. */
  tidy(now: number, onProblem: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}
