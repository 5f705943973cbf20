import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { ensurePrivateDir } from '../core/fs-safe.js';
import { TemporaryError } from '../core/errors.js';

/**
 * A cross-process lock held only around one token refresh: Fathom's refresh tokens are
 * single-use, so two processes refreshing at once would spend the token twice and the loser
 * would be logged out. The file is <stateDir>/token-refresh.lock, separate from the run lock
 * (sync.lock): this lock is taken inside a run and never waits for the run lock, so the two
 * can never wait on each other in reverse order.
 */

export const REFRESH_LOCK_NAME = 'token-refresh.lock';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: number;
  nonce: string;
}

export interface RefreshLockOptions {
  /** Give up waiting for another process after this long. */
  waitMs?: number;
  /** A lock older than this is abandoned whoever holds it (a refresh takes one HTTP request). */
  staleMs?: number;
  pollMs?: number;
  now?: () => number;
}

export function refreshLockPath(stateDir: string): string {
  return path.join(stateDir, REFRESH_LOCK_NAME);
}

export async function withRefreshLock<T>(file: string, fn: () => Promise<T>, options: RefreshLockOptions = {}): Promise<T> {
  const release = await acquireRefreshLock(file, options);
  try {
    return await fn();
  } finally {
    release();
  }
}

export async function acquireRefreshLock(file: string, options: RefreshLockOptions = {}): Promise<() => void> {
  const now = options.now ?? Date.now;
  const waitMs = options.waitMs ?? 60_000;
  const staleMs = options.staleMs ?? 120_000;
  const pollMs = options.pollMs ?? 50;
  ensurePrivateDir(path.dirname(file));
  const me: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: now(), nonce: crypto.randomBytes(8).toString('hex') };
  const deadline = now() + waitMs;
  for (;;) {
    if (tryCreate(file, me)) return () => releaseIfOurs(file, me.nonce);
    const holder = readOwner(file);
    if (holder === 'gone') continue;
    if (isStale(file, holder, staleMs, now())) {
      takeOver(file, holder);
      continue;
    }
    if (now() >= deadline) {
      const who = holder ? ` (pid ${holder.pid} on ${holder.host})` : '';
      throw new TemporaryError(`another fathom-sync process is renewing the OAuth token${who} and has not finished`, `try again; if no fathom-sync is running, delete ${file}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function tryCreate(file: string, me: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, JSON.stringify(me));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** null: a lock whose content is not (yet) readable; 'gone': released in the meantime. */
function readOwner(file: string): LockOwner | null | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const v = JSON.parse(text) as LockOwner;
    return typeof v.pid === 'number' && typeof v.nonce === 'string' ? v : null;
  } catch {
    // Created but not written yet by its owner, or written by something else.
    return null;
  }
}

function isStale(file: string, holder: LockOwner | null, staleMs: number, now: number): boolean {
  if (holder === null) {
    // Unreadable content: give its creator a moment to write it before calling it abandoned.
    try {
      return now - fs.statSync(file).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
  if (holder.host === os.hostname() && !pidIsAlive(holder.pid)) return true;
  return now - holder.startedAt > staleMs;
}

/**
 * Moves the stale lock aside and checks that what was moved is the lock judged stale: if a
 * sibling took it over first and already holds a fresh lock, that one is put back.
 */
function takeOver(file: string, judged: LockOwner | null): void {
  const aside = `${file}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readOwner(aside);
  const same = judged === null ? moved === null : moved !== null && moved !== 'gone' && moved.nonce === judged.nonce;
  if (same) {
    fs.rmSync(aside, { force: true });
    return;
  }
  try {
    // link fails if yet another lock appeared; then the moved one is dropped and its owner's
    // release finds its nonce gone, which is harmless (it only ever deletes its own lock).
    fs.linkSync(aside, file);
  } catch {
    // see above
  }
  fs.rmSync(aside, { force: true });
}

function releaseIfOurs(file: string, nonce: string): void {
  const owner = readOwner(file);
  if (owner && owner !== 'gone' && owner.nonce === nonce) fs.rmSync(file, { force: true });
}

export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
