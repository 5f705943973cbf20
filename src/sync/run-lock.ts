import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { AlreadyRunningError, LocalResourceError } from '../core/errors.js';
import { toIso } from '../domain/time.js';
import { acquireLockFile, inspectLockFile, systemLockSystem, type HeldLock, type HeldState, type LockFileFormat, type LockFileState, type LockSystem, type StaleRules } from '../core/lock-file.js';

/**
 * One sync at a time: <state dir>/sync.lock, created with O_EXCL, holding {pid, host, startedAt}
 * (and the boot it was taken in).
 *
 * A lock left by a process that died (kill -9, power loss) is taken over when it was written
 * on this host and its pid no longer exists, or in an earlier boot. A lock from another host (a
 * home directory on NFS) cannot be checked, so it is only taken over once it is older than any
 * sane run. The token-refresh lock (auth/refresh-lock.ts) is built on the same mechanism
 * (core/lock-file.ts) with its own file and rules: it is held briefly and never waits for this
 * one, so holding both cannot deadlock.
 */

export interface RunLockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** The boot it was taken in, where the OS tells (see LockSystem.bootId). */
  bootId?: string;
}

export type RunLockState =
  | { state: 'free' }
  | { state: 'held'; owner: RunLockOwner }
  | { state: 'stale'; owner: RunLockOwner | null; reason: string };

export type RunLock = HeldLock<RunLockOwner>;

/** A lock from another host is trusted for this long; its pid cannot be checked from here. */
export const FOREIGN_LOCK_MAX_AGE_MS = 24 * 3600 * 1000;
/** A lock file that is empty or unreadable may be one being written right now: give it this long. */
const UNREADABLE_GRACE_MS = 30_000;
/** Longest pause between two looks at the lock while --wait waits. */
export const MAX_POLL_MS = 2_000;
const FIRST_POLL_MS = 100;

export function parseLockOwner(text: string): RunLockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<RunLockOwner>;
    if (typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && typeof value.host === 'string' && typeof value.startedAt === 'string') {
      return { pid: value.pid, host: value.host, startedAt: value.startedAt, ...(typeof value.bootId === 'string' ? { bootId: value.bootId } : {}) };
    }
  } catch {
    // not JSON
  }
  return null;
}

const FORMAT: LockFileFormat<RunLockOwner> = {
  parse: parseLockOwner,
  startedAtMs: (owner) => Date.parse(owner.startedAt),
  same: (a, b) => a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt,
};
const RULES: StaleRules = { unreadableGraceMs: UNREADABLE_GRACE_MS, foreignMaxAgeMs: FOREIGN_LOCK_MAX_AGE_MS };

/** Where the lock's time and the machine's facts come from. */
export interface RunLockEnv {
  clock: Clock;
  system?: LockSystem;
}

/** Reads the lock file and says whether it is free, held by a live sync, or stale (doctor's lock check). */
export function inspectRunLock(file: string, env: RunLockEnv): RunLockState {
  return toRunLockState(inspectLockFile(file, FORMAT, RULES, env));
}

function toRunLockState(state: LockFileState<RunLockOwner>): RunLockState {
  return state.state === 'held' ? { state: 'held', owner: heldBy(state) } : state;
}

function heldBy(held: HeldState<RunLockOwner>): RunLockOwner {
  // Created with O_EXCL but not written yet by its owner: treat as held, briefly.
  return held.owner ?? { pid: 0, host: 'unknown', startedAt: toIso(held.mtimeMs) };
}

/** "pid N since T", with the host when it is not this one. */
export function describeOwner(owner: RunLockOwner, system: Pick<LockSystem, 'hostname'> = systemLockSystem): string {
  const where = owner.host === system.hostname() ? '' : ` on ${owner.host}`;
  return `pid ${owner.pid}${where} since ${owner.startedAt}`;
}

export interface AcquireRunLockOptions extends RunLockEnv {
  /** Wait for a running sync to finish instead of failing with AlreadyRunningError. */
  wait?: boolean;
  /** Called once, when waiting starts. */
  onWait?: (owner: RunLockOwner) => void;
  /** Called when a stale lock is taken over. */
  onTakeover?: (stale: { owner: RunLockOwner | null; reason: string }) => void;
  signal?: AbortSignal;
  /** Upper bound of the pause between two looks while waiting. */
  maxPollMs?: number;
}

/** Takes the run lock, taking over a stale one; waits (polling) or throws AlreadyRunningError. */
export async function acquireRunLock(file: string, options: AcquireRunLockOptions): Promise<RunLock> {
  const { clock } = options;
  const sys = options.system ?? systemLockSystem;
  const maxPoll = Math.max(1, Math.min(options.maxPollMs ?? MAX_POLL_MS, MAX_POLL_MS));
  return acquireLockFile(file, {
    format: FORMAT,
    rules: RULES,
    owner: () => {
      const bootId = sys.bootId?.();
      return { pid: sys.pid, host: sys.hostname(), startedAt: toIso(clock.now()), ...(bootId ? { bootId } : {}) };
    },
    waitMs: options.wait ? Infinity : 0,
    pollMs: Math.min(FIRST_POLL_MS, maxPoll),
    maxPollMs: maxPoll,
    busyError: (held) => new AlreadyRunningError(`sync already running (${describeOwner(heldBy(held), sys)})`),
    dirError: (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return new LocalResourceError(`cannot create the state directory ${path.dirname(file)} for the run lock (${code})`, 'fathom-sync doctor');
    },
    onWait: options.onWait && ((held) => options.onWait!(heldBy(held))),
    onTakeover: options.onTakeover,
    signal: options.signal,
    clock,
    system: sys,
  });
}
