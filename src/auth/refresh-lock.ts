import crypto from 'node:crypto';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { acquireLockFile, systemLockSystem, type LockFileFormat } from '../core/lock-file.js';
import { TemporaryError } from '../core/errors.js';

/**
 * A cross-process lock held only around one token refresh: Fathom's refresh tokens are
 * single-use, so two processes refreshing at once would spend the token twice and the loser
 * would be logged out. The file is <stateDir>/token-refresh.lock, separate from the run lock
 * (sync.lock): this lock is taken inside a run and never waits for the run lock, so the two
 * can never wait on each other in reverse order. The mechanism is the run lock's
 * (core/lock-file.ts), with a deadline and an age limit of its own.
 */

export const REFRESH_LOCK_NAME = 'token-refresh.lock';

interface RefreshLockOwner {
  pid: number;
  host: string;
  startedAt: number;
  nonce: string;
}

export interface RefreshLockOptions {
  /** Every "now" and every pause while waiting. */
  clock: Clock;
  /** Give up waiting for another process after this long. */
  waitMs?: number;
  /** A lock older than this is abandoned whoever holds it (a refresh takes one HTTP request). */
  staleMs?: number;
  pollMs?: number;
  /** Called once if another process holds the lock and this one starts waiting. */
  onWait?: () => void;
}

const FORMAT: LockFileFormat<RefreshLockOwner> = {
  parse(text) {
    try {
      const v = JSON.parse(text) as RefreshLockOwner;
      return typeof v.pid === 'number' && typeof v.nonce === 'string' ? v : null;
    } catch {
      // Created but not written yet by its owner, or written by something else.
      return null;
    }
  },
  startedAtMs: (owner) => owner.startedAt,
  same: (a, b) => a.nonce === b.nonce,
};

export function refreshLockPath(stateDir: string): string {
  return path.join(stateDir, REFRESH_LOCK_NAME);
}

export async function withRefreshLock<T>(file: string, fn: () => Promise<T>, options: RefreshLockOptions): Promise<T> {
  const release = await acquireRefreshLock(file, options);
  try {
    return await fn();
  } finally {
    release();
  }
}

export async function acquireRefreshLock(file: string, options: RefreshLockOptions): Promise<() => void> {
  const { clock } = options;
  const system = systemLockSystem;
  const pollMs = options.pollMs ?? 50;
  const me: RefreshLockOwner = { pid: system.pid, host: system.hostname(), startedAt: clock.now(), nonce: crypto.randomBytes(8).toString('hex') };
  const lock = await acquireLockFile(file, {
    format: FORMAT,
    rules: { unreadableGraceMs: 10_000, maxAgeMs: options.staleMs ?? 120_000 },
    owner: () => me,
    waitMs: options.waitMs ?? 60_000,
    pollMs,
    maxPollMs: pollMs,
    busyPauseMs: pollMs,
    ...(options.onWait ? { onWait: options.onWait } : {}),
    busyError: ({ owner }) => {
      const who = owner ? ` (pid ${owner.pid} on ${owner.host})` : '';
      return new TemporaryError(`another fathom-sync process is renewing the OAuth token${who} and has not finished`, `try again; if no fathom-sync is running, delete ${file}`);
    },
    clock,
    system,
  });
  return () => lock.release();
}
