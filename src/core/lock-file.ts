import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from './clock.js';
import { ensurePrivateDir } from './fs-safe.js';
import { formatDuration } from './duration.js';

/**
 * The mechanism under the run lock (sync/run-lock.ts) and the token-refresh lock
 * (auth/refresh-lock.ts): a file created with O_EXCL that names its owner, judged free, held or
 * stale by rules each lock chooses, and taken over when stale. Time (how old a lock is, the pauses
 * while waiting) comes from the Clock the caller hands in; the facts of this machine from a
 * LockSystem, so tests can stand in for both.
 */

/** What a lock needs to know of this machine. */
export interface LockSystem {
  pid: number;
  hostname(): string;
  isProcessAlive(pid: number): boolean;
  /** An id of this boot of the machine (Linux: /proc/sys/kernel/random/boot_id); null when unknown. */
  bootId?(): string | null;
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
  bootId: readBootId,
};

/** Default pauses while waiting: the first one, and the longest one it doubles up to. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;
/** A takeover guard is held for microseconds; one older than this was left by a crash. */
const ABANDONED_GUARD_MS = 5_000;

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
  /** Every "now" and every pause of the lock. */
  clock: Clock;
  system?: LockSystem;
}

/** Reads a lock file and says whether it is free, held or stale under the given rules. */
export function inspectLockFile<O extends LockFileOwner>(
  file: string,
  format: LockFileFormat<O>,
  rules: StaleRules,
  env: { clock: Clock; system?: LockSystem },
): LockFileState<O> {
  const sys = env.system ?? systemLockSystem;
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
  const now = env.clock.now();
  const owner = format.parse(text);
  if (!owner) {
    if (now - mtimeMs < rules.unreadableGraceMs) return { state: 'held', owner: null, mtimeMs };
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
  const age = now - format.startedAtMs(owner);
  if (maxAge !== Infinity && (Number.isNaN(age) || age > maxAge)) {
    return { state: 'stale', owner, reason: `it was taken${local ? '' : ` on ${owner.host}`} more than ${formatDuration(maxAge, 'words')} ago` };
  }
  return { state: 'held', owner, mtimeMs };
}

/** Takes a lock file, taking over a stale one; waits (polling) for a live holder up to waitMs, then throws busyError. */
export async function acquireLockFile<O extends LockFileOwner>(file: string, options: LockFileOptions<O>): Promise<HeldLock<O>> {
  const { clock } = options;
  try {
    ensurePrivateDir(path.dirname(file));
  } catch (err) {
    throw options.dirError ? options.dirError(err) : err;
  }
  const deadline = clock.now() + (options.waitMs ?? 0);
  const maxPoll = options.maxPollMs ?? MAX_POLL_MS;
  let poll = Math.min(options.pollMs ?? FIRST_POLL_MS, maxPoll);
  let announced = false;
  for (;;) {
    const owner = options.owner();
    if (tryCreate(file, owner)) return heldLock(file, owner, options.format);
    const state = inspectLockFile(file, options.format, options.rules, options);
    if (state.state === 'stale') {
      const outcome = takeOverStale(file, state.owner, options.format, clock);
      if (outcome === 'removed') options.onTakeover?.({ owner: state.owner, reason: state.reason });
      // Another process is taking it over right now: give it a moment instead of spinning.
      if (outcome === 'busy') await clock.sleep(options.busyPauseMs ?? FIRST_POLL_MS, options.signal);
      continue;
    }
    if (state.state === 'free') continue; // released between our attempt and our look
    if (clock.now() >= deadline) throw options.busyError(state);
    if (!announced) {
      announced = true;
      options.onWait?.(state);
    }
    await clock.sleep(poll, options.signal);
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
function takeOverStale<O extends LockFileOwner>(file: string, stale: O | null, format: LockFileFormat<O>, clock: Clock): 'removed' | 'changed' | 'busy' {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = fs.openSync(guard, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    removeAbandonedGuard(guard, clock);
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

function removeAbandonedGuard(guard: string, clock: Clock): void {
  try {
    if (clock.now() - fs.statSync(guard).mtimeMs > ABANDONED_GUARD_MS) fs.rmSync(guard, { force: true });
  } catch {
    // gone
  }
}
