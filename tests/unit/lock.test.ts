import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock, FOREIGN_LOCK_MAX_AGE_MS, inspectRunLock, MAX_POLL_MS, parseLockOwner, type RunLockOwner as LockOwner } from '../../src/sync/run-lock.js';
import type { LockSystem } from '../../src/core/lock-file.js';
import type { Clock } from '../../src/core/clock.js';
import { AlreadyRunningError, ExitCode } from '../../src/core/errors.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');

/**
 * A machine with a fixed host and a set of live pids, and a clock that stands still: its sleep
 * only records the pause (and runs the test's `onSleep`, standing in for what happens meanwhile).
 */
function fakeSystem({ alive: live = [], now = NOW, ...overrides }: Partial<LockSystem> & { alive?: number[]; now?: number } = {}) {
  const alive = new Set(live);
  const sleeps: number[] = [];
  const env = {
    system: {
      pid: 100,
      hostname: () => 'here',
      isProcessAlive: (pid: number) => pid === 100 || alive.has(pid),
      ...overrides,
    } as LockSystem,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        await env.onSleep(ms);
      },
    } as Clock,
    sleeps,
    onSleep: async (_ms: number): Promise<void> => {},
  };
  return env;
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-lock-'));
  file = path.join(dir, 'state', 'sync.lock');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const writeLock = (owner: LockOwner) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(owner));
};

describe('run lock', () => {
  it('writes {pid, host, startedAt} with O_EXCL and removes it on release', async () => {
    const lock = await acquireRunLock(file, fakeSystem());
    expect(parseLockOwner(fs.readFileSync(file, 'utf8'))).toEqual({ pid: 100, host: 'here', startedAt: '2026-03-01T10:00:00.000Z' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    lock.release();
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses a second sync with exit code 6, naming the pid and start time', async () => {
    writeLock({ pid: 4242, host: 'here', startedAt: '2026-03-01T09:59:00.000Z' });
    const err = await acquireRunLock(file, fakeSystem({ alive: [4242] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyRunningError);
    expect((err as AlreadyRunningError).exitCode).toBe(ExitCode.alreadyRunning);
    expect((err as Error).message).toBe('sync already running (pid 4242 since 2026-03-01T09:59:00.000Z)');
    expect(parseLockOwner(fs.readFileSync(file, 'utf8'))?.pid).toBe(4242);
  });

  it('takes over the lock of a dead process on this host', async () => {
    writeLock({ pid: 4242, host: 'here', startedAt: '2026-03-01T09:00:00.000Z' });
    const takeovers: string[] = [];
    const lock = await acquireRunLock(file, { ...fakeSystem(), onTakeover: (s) => takeovers.push(s.reason) });
    expect(takeovers).toEqual(['process 4242 no longer exists']);
    expect(lock.owner.pid).toBe(100);
    expect(fs.existsSync(`${file}.takeover`)).toBe(false);
  });

  it('after a reboot, takes over a lock whose pid now belongs to some other live process', async () => {
    // pid 555 is alive, but the lock was taken in an earlier boot.
    const system = fakeSystem({ alive: [555], bootId: () => 'boot-2' });
    writeLock({ pid: 555, host: 'here', startedAt: '2026-03-01T09:00:00.000Z', bootId: 'boot-1' });
    expect(inspectRunLock(file, system)).toMatchObject({ state: 'stale', reason: 'it was taken before the machine last started' });
    // Taken in this boot (or by a version that did not record boots): the live pid holds it.
    writeLock({ pid: 555, host: 'here', startedAt: '2026-03-01T09:00:00.000Z', bootId: 'boot-2' });
    expect(inspectRunLock(file, system)).toMatchObject({ state: 'held' });
    writeLock({ pid: 555, host: 'here', startedAt: '2026-03-01T09:00:00.000Z' });
    expect(inspectRunLock(file, system)).toMatchObject({ state: 'held' });
    // The run lock records the boot it was taken in.
    fs.rmSync(file);
    const lock = await acquireRunLock(file, system);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: 100, bootId: 'boot-2' });
    lock.release();
  });

  it('trusts a recent lock from another host, and takes over one older than a day', async () => {
    writeLock({ pid: 1, host: 'laptop', startedAt: new Date(NOW - 3600_000).toISOString() });
    await expect(acquireRunLock(file, fakeSystem())).rejects.toThrow(/pid 1 on laptop since/);
    writeLock({ pid: 1, host: 'laptop', startedAt: new Date(NOW - FOREIGN_LOCK_MAX_AGE_MS - 1).toISOString() });
    expect(inspectRunLock(file, fakeSystem())).toMatchObject({ state: 'stale', reason: expect.stringMatching(/laptop more than a day ago/) });
    await acquireRunLock(file, fakeSystem());
  });

  it('treats an unreadable lock as being written for a moment, then as stale', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    const mtime = fs.statSync(file).mtimeMs;
    expect(inspectRunLock(file, fakeSystem({ now: mtime + 1000 })).state).toBe('held');
    expect(inspectRunLock(file, fakeSystem({ now: mtime + 60_000 }))).toMatchObject({ state: 'stale', owner: null });
    await acquireRunLock(file, fakeSystem({ now: mtime + 60_000 }));
  });

  it('--wait polls, with pauses that grow but stay bounded, until the holder is gone', async () => {
    writeLock({ pid: 4242, host: 'here', startedAt: '2026-03-01T09:59:00.000Z' });
    const alive = new Set([4242]);
    const waited: LockOwner[] = [];
    const system = fakeSystem({ isProcessAlive: (pid) => pid === 100 || alive.has(pid) });
    // The "other sync" finishes during our 8th pause: no real time passes in this test.
    system.onSleep = async () => {
      if (system.sleeps.length === 8) fs.rmSync(file);
    };
    const lock = await acquireRunLock(file, { ...system, wait: true, onWait: (o) => waited.push(o) });
    expect(lock.owner.pid).toBe(100);
    expect(waited).toHaveLength(1);
    expect(waited[0]!.pid).toBe(4242);
    expect(system.sleeps).toHaveLength(8);
    expect(Math.max(...system.sleeps)).toBeLessThanOrEqual(MAX_POLL_MS);
    expect(system.sleeps[1]!).toBeGreaterThan(system.sleeps[0]!);
  });

  it('--wait takes over when the holder dies instead of finishing', async () => {
    writeLock({ pid: 4242, host: 'here', startedAt: '2026-03-01T09:59:00.000Z' });
    const alive = new Set([4242]);
    const system = fakeSystem({ isProcessAlive: (pid) => pid === 100 || alive.has(pid) });
    system.onSleep = async () => void alive.delete(4242);
    const lock = await acquireRunLock(file, { ...system, wait: true });
    expect(lock.owner.pid).toBe(100);
  });

  it('release leaves a lock that is no longer ours', async () => {
    const lock = await acquireRunLock(file, fakeSystem());
    writeLock({ pid: 555, host: 'here', startedAt: '2026-03-01T10:05:00.000Z' });
    lock.release();
    expect(parseLockOwner(fs.readFileSync(file, 'utf8'))?.pid).toBe(555);
  });

  it('does not delete a fresh lock while another process is taking over the stale one', async () => {
    writeLock({ pid: 4242, host: 'here', startedAt: '2026-03-01T09:00:00.000Z' });
    // Another process holds the takeover guard; when we pause, it has replaced the lock with its own.
    fs.writeFileSync(`${file}.takeover`, '');
    // A guard this young is in use, not abandoned: the clock reads the guard's own mtime.
    const system = fakeSystem({ alive: [777], now: fs.statSync(`${file}.takeover`).mtimeMs });
    system.onSleep = async () => {
      fs.rmSync(`${file}.takeover`);
      writeLock({ pid: 777, host: 'here', startedAt: '2026-03-01T10:00:00.000Z' });
    };
    await expect(acquireRunLock(file, system)).rejects.toThrow(/pid 777/);
    expect(parseLockOwner(fs.readFileSync(file, 'utf8'))?.pid).toBe(777);
  });

  it('reports free, held and stale', () => {
    expect(inspectRunLock(file, fakeSystem())).toEqual({ state: 'free' });
    writeLock({ pid: 4242, host: 'here', startedAt: 'x' });
    expect(inspectRunLock(file, fakeSystem({ alive: [4242] })).state).toBe('held');
    expect(inspectRunLock(file, fakeSystem()).state).toBe('stale');
  });
});
