import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlreadyRunningError, LocalResourceError } from './errors.js';
import { ensurePrivateDir } from './fs-safe.js';
import { formatDuration } from './duration.js';

/**
 * One sync at a time: a lock file created with O_EXCL holding {pid, host, startedAt}.
 *
 * A lock left by a process that died (kill -9, power loss) is taken over when it was written
 * on this host and its pid no longer exists. A lock from another host (a home directory on
 * NFS) cannot be checked, so it is only taken over once it is older than any sane run.
 * The token-refresh lock of the credential code (auth/refresh-lock.ts) is built on the same
 * mechanism, acquireLockFile below, with its own file and rules: it is held briefly and never
 * waits for this one, so holding both cannot deadlock.
 */

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** The boot it was taken in, where the OS tells (see LockSystem.bootId). */
  bootId?: string;
}

let cachedBootId: string | null | undefined;
/** Linux's random id of the current boot: unlike a boot time, it does not move when the clock is set. */
function readBootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
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
  /** An id of this boot of the machine (Linux: /proc/sys/kernel/random/boot_id); null when unknown. */
  bootId?(): string | null;
}

/** Whether a process with this pid exists on this host (EPERM: it does, but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const systemLockSystem: LockSystem = {
  pid: process.pid,
  hostname: () => os.hostname(),
  isProcessAlive,
  now: () => Date.now(),
  bootId: readBootId,
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
      return { pid: value.pid, host: value.host, startedAt: value.startedAt, ...(typeof value.bootId === 'string' ? { bootId: value.bootId } : {}) };
    }
  } catch {
    // not JSON
  }
  return null;
}

/** What the run lock file holds, and when a run lock is stale. */
const RUN_LOCK_FORMAT: LockFileFormat<LockOwner> = {
  parse: parseLockOwner,
  startedAtMs: (owner) => Date.parse(owner.startedAt),
  same: (a, b) => a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt,
};
const RUN_LOCK_RULES: StaleRules = { unreadableGraceMs: UNREADABLE_GRACE_MS, foreignMaxAgeMs: FOREIGN_LOCK_MAX_AGE_MS };

/** Reads the lock file and says whether it is free, held by a live sync, or stale. */
export function inspectLock(file: string, sys: LockSystem = systemLockSystem): LockState {
  return toRunLockState(inspectLockFile(file, RUN_LOCK_FORMAT, RUN_LOCK_RULES, sys));
}

function toRunLockState(state: LockFileState<LockOwner>): LockState {
  return state.state === 'held' ? { state: 'held', owner: runLockOwner(state) } : state;
}

function runLockOwner(held: HeldState<LockOwner>): LockOwner {
  // Created with O_EXCL but not written yet by its owner: treat as held, briefly.
  return held.owner ?? { pid: 0, host: 'unknown', startedAt: new Date(held.mtimeMs).toISOString() };
}

export function describeOwner(owner: LockOwner, sys: Pick<LockSystem, 'hostname'> = systemLockSystem): string {
  const where = owner.host === sys.hostname() ? '' : ` on ${owner.host}`;
  return `pid ${owner.pid}${where} since ${owner.startedAt}`;
}

export type RunLock = HeldLock<LockOwner>;

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
  return acquireLockFile(file, {
    format: RUN_LOCK_FORMAT,
    rules: RUN_LOCK_RULES,
    owner: () => {
      const bootId = sys.bootId?.();
      return { pid: sys.pid, host: sys.hostname(), startedAt: new Date(sys.now()).toISOString(), ...(bootId ? { bootId } : {}) };
    },
    waitMs: options.wait ? Infinity : 0,
    pollMs: Math.min(FIRST_POLL_MS, maxPoll),
    maxPollMs: maxPoll,
    busyError: (held) => new AlreadyRunningError(`sync already running (${describeOwner(runLockOwner(held), sys)})`),
    dirError: (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return new LocalResourceError(`cannot create the state directory ${path.dirname(file)} for the run lock (${code})`, 'fathom-sync doctor');
    },
    onWait: options.onWait && ((held) => options.onWait!(runLockOwner(held))),
    onTakeover: options.onTakeover,
    signal: options.signal,
    system: sys,
  });
}

/*
 * The mechanism under the run lock and the token-refresh lock: a file created with O_EXCL that
 * names its owner, judged free, held or stale by rules each lock chooses, and taken over when
 * stale.
 */

/** The least a lock file names: which process, on which host. */
export interface LockFileOwner {
  pid: number;
  host: string;
  /** The boot it was taken in; a lock from another boot of this host is stale. */
  bootId?: string;
}

/** How a lock's owner record is read back and compared. It is written as one line of JSON. */
export interface LockFileFormat<O extends LockFileOwner> {
  /** The owner in the file's text, or null when it is not (yet) a valid record. */
  parse(text: string): O | null;
  /** When the owner took the lock, in ms since the epoch (NaN when unknown). */
  startedAtMs(owner: O): number;
  /** Whether two records name the same taking of the lock. */
  same(a: O, b: O): boolean;
}

/** When a lock is stale. A lock of a process that no longer exists on this host always is. */
export interface StaleRules {
  /** An unreadable lock file may be one being written right now: it counts as held this long. */
  unreadableGraceMs: number;
  /** A lock older than this is stale whoever holds it. */
  maxAgeMs?: number;
  /** A lock from another host (whose pid cannot be checked from here) is stale once older than this. */
  foreignMaxAgeMs?: number;
}

export type HeldState<O> = { state: 'held'; owner: O | null; mtimeMs: number };
export type LockFileState<O> = { state: 'free' } | HeldState<O> | { state: 'stale'; owner: O | null; reason: string };

export interface HeldLock<O> {
  readonly file: string;
  readonly owner: O;
  /** Removes the lock if it is still ours. Safe to call more than once. */
  release(): void;
}

export interface LockFileOptions<O extends LockFileOwner> {
  format: LockFileFormat<O>;
  rules: StaleRules;
  /** The record to write, asked for before each attempt. */
  owner: () => O;
  /** How long to wait for a live holder: 0 (the default) gives up at once, Infinity never. */
  waitMs?: number;
  /** The error thrown when the lock is held and waiting is not wanted or is over. */
  busyError: (held: HeldState<O>) => Error;
  /** The first pause between two looks while waiting; it doubles up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** The pause when another process is taking over the same stale lock. */
  busyPauseMs?: number;
  /** Maps a failure to create the lock's directory; by default it is thrown as it is. */
  dirError?: (err: unknown) => Error;
  /** Called once, when waiting starts. */
  onWait?: (held: HeldState<O>) => void;
  /** Called when a stale lock is taken over. */
  onTakeover?: (stale: { owner: O | null; reason: string }) => void;
  signal?: AbortSignal;
  system?: LockSystem;
}

/** Reads a lock file and says whether it is free, held or stale under the given rules. */
export function inspectLockFile<O extends LockFileOwner>(file: string, format: LockFileFormat<O>, rules: StaleRules, sys: LockSystem = systemLockSystem): LockFileState<O> {
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
  const owner = format.parse(text);
  if (!owner) {
    if (sys.now() - mtimeMs < rules.unreadableGraceMs) return { state: 'held', owner: null, mtimeMs };
    return { state: 'stale', owner: null, reason: 'the lock file is unreadable' };
  }
  const local = owner.host === sys.hostname();
  if (local && owner.pid !== sys.pid && !sys.isProcessAlive(owner.pid)) {
    return { state: 'stale', owner, reason: `process ${owner.pid} no longer exists` };
  }
  // After a reboot the pid may belong to some other process now: a lock taken in an earlier
  // boot is stale whatever holds that pid.
  const bootId = owner.bootId === undefined ? null : (sys.bootId?.() ?? null);
  if (local && bootId !== null && owner.bootId !== bootId) {
    return { state: 'stale', owner, reason: 'it was taken before the machine last started' };
  }
  const maxAge = Math.min(rules.maxAgeMs ?? Infinity, local ? Infinity : (rules.foreignMaxAgeMs ?? Infinity));
  const age = sys.now() - format.startedAtMs(owner);
  if (maxAge !== Infinity && (Number.isNaN(age) || age > maxAge)) {
    return { state: 'stale', owner, reason: `it was taken${local ? '' : ` on ${owner.host}`} more than ${formatDuration(maxAge, 'words')} ago` };
  }
  return { state: 'held', owner, mtimeMs };
}

/** Takes a lock file, taking over a stale one; waits (polling) for a live holder up to waitMs, then throws busyError. */
export async function acquireLockFile<O extends LockFileOwner>(file: string, options: LockFileOptions<O>): Promise<HeldLock<O>> {
  const sys = options.system ?? systemLockSystem;
  try {
    ensurePrivateDir(path.dirname(file));
  } catch (err) {
    throw options.dirError ? options.dirError(err) : err;
  }
  const deadline = sys.now() + (options.waitMs ?? 0);
  const maxPoll = options.maxPollMs ?? MAX_POLL_MS;
  let poll = Math.min(options.pollMs ?? FIRST_POLL_MS, maxPoll);
  let announced = false;
  for (;;) {
    const owner = options.owner();
    if (tryCreate(file, owner)) return heldLock(file, owner, options.format);
    const state = inspectLockFile(file, options.format, options.rules, sys);
    if (state.state === 'stale') {
      const outcome = takeOverStale(file, state.owner, options.format);
      if (outcome === 'removed') options.onTakeover?.({ owner: state.owner, reason: state.reason });
      // Another process is taking it over right now: give it a moment instead of spinning.
      if (outcome === 'busy') await sys.sleep(options.busyPauseMs ?? FIRST_POLL_MS, options.signal);
      continue;
    }
    if (state.state === 'free') continue; // released between our attempt and our look
    if (sys.now() >= deadline) throw options.busyError(state);
    if (!announced) {
      announced = true;
      options.onWait?.(state);
    }
    await sys.sleep(poll, options.signal);
    poll = Math.min(poll * 2, maxPoll);
  }
}

function tryCreate(file: string, owner: LockFileOwner): boolean {
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

function heldLock<O extends LockFileOwner>(file: string, owner: O, format: LockFileFormat<O>): HeldLock<O> {
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
        const current = format.parse(fs.readFileSync(file, 'utf8'));
        if (current && format.same(current, owner)) fs.rmSync(file, { force: true });
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
function takeOverStale<O extends LockFileOwner>(file: string, stale: O | null, format: LockFileFormat<O>): 'removed' | 'changed' | 'busy' {
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
    const current = format.parse(text);
    const same = stale === null ? current === null : current !== null && format.same(current, stale);
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
