import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlreadyRunningError, ExitCode, FathomSyncError } from './errors.js';
import { ensurePrivateDir } from './fs-safe.js';

/**
 * One sync at a time: a lock file created with O_EXCL holding {pid, host, startedAt}.
 *
 * A lock left by a process that died (kill -9, power loss) is taken over when it was written
 * on this host and its pid no longer exists. A lock from another host (a home directory on
 * NFS) cannot be checked, so it is only taken over once it is older than any sane run.
 * The token-refresh lock of the credential code is a different file that is held briefly and
 * never waits for this one, so holding both cannot deadlock.
 */

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export type LockState =
  | { state: 'free' }
  | { state: 'held'; owner: LockOwner }
  | { state: 'stale'; owner: LockOwner | null; reason: string };

/** Everything the lock needs from the OS, so tests can stand in for it. */
export interface LockSystem {
  pid: number;
  hostname(): string;
  isProcessAlive(pid: number): boolean;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemLockSystem: LockSystem = {
  pid: process.pid,
  hostname: () => os.hostname(),
  isProcessAlive: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      // EPERM: the process exists but belongs to someone else.
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A lock from another host is trusted for this long; its pid cannot be checked from here. */
export const FOREIGN_LOCK_MAX_AGE_MS = 24 * 3600 * 1000;
/** A lock file that is empty or unreadable may be one being written right now: give it this long. */
const UNREADABLE_GRACE_MS = 30_000;
/** Longest pause between two looks at the lock while --wait waits. */
export const MAX_POLL_MS = 2_000;
const FIRST_POLL_MS = 100;

export function parseLockOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && typeof value.host === 'string' && typeof value.startedAt === 'string') {
      return { pid: value.pid, host: value.host, startedAt: value.startedAt };
    }
  } catch {
    // not JSON
  }
  return null;
}

/** Reads the lock file and says whether it is free, held by a live sync, or stale. */
export function inspectLock(file: string, sys: LockSystem = systemLockSystem): LockState {
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: the state directory is not a directory, so no lock can exist in it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'free' };
    throw err;
  }
  const owner = parseLockOwner(text);
  if (!owner) {
    if (sys.now() - mtimeMs < UNREADABLE_GRACE_MS) {
      // Created with O_EXCL but not written yet by its owner: treat as held, briefly.
      return { state: 'held', owner: { pid: 0, host: 'unknown', startedAt: new Date(mtimeMs).toISOString() } };
    }
    return { state: 'stale', owner: null, reason: 'the lock file is unreadable' };
  }
  if (owner.host === sys.hostname()) {
    if (owner.pid === sys.pid) return { state: 'held', owner };
    return sys.isProcessAlive(owner.pid) ? { state: 'held', owner } : { state: 'stale', owner, reason: `process ${owner.pid} no longer exists` };
  }
  const started = Date.parse(owner.startedAt);
  if (Number.isNaN(started) || sys.now() - started > FOREIGN_LOCK_MAX_AGE_MS) {
    return { state: 'stale', owner, reason: `it was taken on ${owner.host} more than a day ago` };
  }
  return { state: 'held', owner };
}

export function describeOwner(owner: LockOwner, sys: Pick<LockSystem, 'hostname'> = systemLockSystem): string {
  const where = owner.host === sys.hostname() ? '' : ` on ${owner.host}`;
  return `pid ${owner.pid}${where} since ${owner.startedAt}`;
}

export interface RunLock {
  readonly file: string;
  readonly owner: LockOwner;
  /** Removes the lock if it is still ours. Safe to call more than once. */
  release(): void;
}

export interface AcquireOptions {
  /** Wait for a running sync to finish instead of failing with AlreadyRunningError. */
  wait?: boolean;
  /** Called once, when waiting starts. */
  onWait?: (owner: LockOwner) => void;
  /** Called when a stale lock is taken over. */
  onTakeover?: (stale: { owner: LockOwner | null; reason: string }) => void;
  signal?: AbortSignal;
  /** Upper bound of the pause between two looks while waiting. */
  maxPollMs?: number;
  system?: LockSystem;
}

/** Takes the run lock, taking over a stale one; waits (polling) or throws AlreadyRunningError. */
export async function acquireRunLock(file: string, options: AcquireOptions = {}): Promise<RunLock> {
  const sys = options.system ?? systemLockSystem;
  const maxPoll = Math.max(1, Math.min(options.maxPollMs ?? MAX_POLL_MS, MAX_POLL_MS));
  try {
    ensurePrivateDir(path.dirname(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new FathomSyncError(`cannot create the state directory ${path.dirname(file)} for the run lock (${code})`, ExitCode.failure, 'fathom-sync doctor');
  }
  let poll = Math.min(FIRST_POLL_MS, maxPoll);
  let announced = false;
  for (;;) {
    const owner: LockOwner = { pid: sys.pid, host: sys.hostname(), startedAt: new Date(sys.now()).toISOString() };
    if (tryCreate(file, owner)) return heldLock(file, owner);
    const state = inspectLock(file, sys);
    if (state.state === 'stale') {
      const outcome = takeOverStale(file, state.owner);
      if (outcome === 'removed') options.onTakeover?.({ owner: state.owner, reason: state.reason });
      // Another process is taking it over right now: give it a moment instead of spinning.
      if (outcome === 'busy') await sys.sleep(FIRST_POLL_MS, options.signal);
      continue;
    }
    if (state.state === 'free') continue; // released between our attempt and our look
    if (!options.wait) {
      throw new AlreadyRunningError(`sync already running (${describeOwner(state.owner, sys)})`);
    }
    if (!announced) {
      announced = true;
      options.onWait?.(state.owner);
    }
    await sys.sleep(poll, options.signal);
    poll = Math.min(poll * 2, maxPoll);
  }
}

function tryCreate(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function heldLock(file: string, owner: LockOwner): RunLock {
  let released = false;
  return {
    file,
    owner,
    release() {
      if (released) return;
      released = true;
      // Only remove the file if it still names us: a lock taken over after we were presumed
      // dead belongs to someone else now.
      try {
        const current = parseLockOwner(fs.readFileSync(file, 'utf8'));
        if (current && current.pid === owner.pid && current.host === owner.host && current.startedAt === owner.startedAt) fs.rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/**
 * Removes a stale lock, unless someone else has replaced it meanwhile. Two processes may find
 * the same stale lock at once: a short-lived guard file (O_EXCL as well) makes "check it is
 * still the stale one, then delete it" a single step, so neither can delete the fresh lock
 * the other has just created.
 */
function takeOverStale(file: string, stale: LockOwner | null): 'removed' | 'changed' | 'busy' {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = fs.openSync(guard, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    removeAbandonedGuard(guard);
    return 'busy';
  }
  fs.closeSync(fd);
  try {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return 'changed'; // gone already
    }
    const current = parseLockOwner(text);
    const same = stale === null ? current === null : current !== null && current.pid === stale.pid && current.host === stale.host && current.startedAt === stale.startedAt;
    if (!same) return 'changed';
    fs.rmSync(file, { force: true });
    return 'removed';
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/** A guard is held for microseconds; one older than a few seconds was left by a crash. */
function removeAbandonedGuard(guard: string): void {
  try {
    if (Date.now() - fs.statSync(guard).mtimeMs > 5_000) fs.rmSync(guard, { force: true });
  } catch {
    // gone
  }
}
