import { systemClock } from '../../src/core/clock.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acquireRefreshLock, refreshLockPath, withRefreshLock } from '../../src/auth/refresh-lock.js';
import { TemporaryError } from '../../src/core/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');

let dir: string;
let lock: string;
let clock: FakeClock;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refresh-lock-'));
  lock = refreshLockPath(path.join(dir, 'state'));
  clock = new FakeClock(NOW);
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const writeOwner = (owner: object) => {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  fs.writeFileSync(lock, JSON.stringify(owner));
};

describe('refresh lock', () => {
  it('is a file of its own in the state dir, created 0600 and removed on release', async () => {
    expect(path.basename(lock)).toBe('token-refresh.lock');
    const release = await acquireRefreshLock(lock, { clock });
    expect(fs.statSync(lock).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname(), startedAt: NOW });
    release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('serialises holders: the second does not enter while the first holds it', async () => {
    const events: string[] = [];
    // Every attempt to create the lock file, so the test knows when the second holder has tried
    // (and been refused) several times, without guessing at timings.
    const realOpen = fs.openSync;
    let attempts = 0;
    let triedThrice!: () => void;
    const secondTriedThrice = new Promise<void>((resolve) => (triedThrice = resolve));
    vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
      if (args[0] === lock && args[1] === 'wx' && ++attempts === 4) triedThrice(); // the first holder's attempt + three of the second's
      return realOpen(...args);
    });

    const release = await acquireRefreshLock(lock, { clock: systemClock, pollMs: 1 });
    events.push('first in');
    const second = withRefreshLock(
      lock,
      async () => {
        events.push('second in');
        await Promise.resolve();
        events.push('second out');
      },
      { clock: systemClock, pollMs: 1 },
    );
    // A lock that does not exclude lets the second in at once: that settles `second` first.
    await Promise.race([secondTriedThrice, second.then(() => Promise.reject(new Error(`the second holder entered while the first held the lock: ${events.join(', ')}`)))]);
    expect(events).toEqual(['first in']);
    await new Promise<void>((resolve) => setImmediate(resolve));
    events.push('first out');
    release();
    await second;
    expect(events).toEqual(['first in', 'first out', 'second in', 'second out']);
  });

  it('waits for a live holder, then gives up with a temporary error naming it', async () => {
    writeOwner({ pid: process.pid, host: os.hostname(), startedAt: NOW, nonce: 'live' });
    const err = await acquireRefreshLock(lock, { clock, waitMs: 60, pollMs: 10 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TemporaryError);
    expect(err.message).toContain(`pid ${process.pid}`);
    // It looked every 10 ms of the clock's time until the 60 ms were up.
    expect(clock.sleeps).toEqual([10, 10, 10, 10, 10, 10]);
    expect(fs.existsSync(lock)).toBe(true); // not ours: left alone
  });

  it('takes over a lock whose process is dead, or that is older than staleMs', async () => {
    writeOwner({ pid: 2 ** 22 + 4321, host: os.hostname(), startedAt: NOW, nonce: 'dead' });
    (await acquireRefreshLock(lock, { clock, waitMs: 0 }))();
    writeOwner({ pid: process.pid, host: 'another-host', startedAt: NOW - 10 * 60_000, nonce: 'old' });
    (await acquireRefreshLock(lock, { clock, waitMs: 0, staleMs: 60_000 }))();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('does not take over a lock just created and not yet written', async () => {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, '');
    clock.t = fs.statSync(lock).mtimeMs; // the empty file is brand new
    await expect(acquireRefreshLock(lock, { clock, waitMs: 30, pollMs: 10 })).rejects.toBeInstanceOf(TemporaryError);
  });

  it('releases only its own lock', async () => {
    const release = await acquireRefreshLock(lock, { clock });
    writeOwner({ pid: process.pid, host: os.hostname(), startedAt: NOW, nonce: 'someone-else' });
    release();
    expect(fs.existsSync(lock)).toBe(true);
  });
});
