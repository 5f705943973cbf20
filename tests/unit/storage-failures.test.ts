import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseBusyError, DatabaseCorruptError, DatabaseFullError, DatabaseIoError, DatabasePermissionError, ExitCode, isDatabaseFailure } from '../../src/core/errors.js';
import { formatBytes, modeString } from '../../src/core/file-facts.js';
import { OutputHost } from '../../src/core/output.js';
import { openDatabase } from '../../src/db/database.js';
import { classifySqliteFailure, failureKind, sqliteFailures } from '../../src/db/sqlite-failures.js';
import { StorageGuard, guardDatabase } from '../../src/db/storage-failures.js';
import { SyncStore } from '../../src/db/sync-store.js';
import { recordUnrecordedRuns, rememberUnrecordedRun } from '../../src/history/unrecorded-runs.js';
import type { RefusedRun } from '../../src/history/refused-run.js';

const { SqliteError } = Database;
const FILE = '/data/fathom-sync.db';
const options = { busyTimeoutMs: 5000, platform: 'linux' as const };
const classify = (err: unknown, action: 'read' | 'write' = 'write', bytes?: number) => classifySqliteFailure(FILE, err, { action, ...(bytes ? { bytes } : {}) }, options);
const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-storage-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What the user sees for an error: the stderr lines and the exit code. */
function printed(err: unknown): { code: number; stderr: string } {
  let stderr = '';
  const stream = { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream;
  const code = new OutputHost({ stdout: stream, stderr: stream, env: {} }).printError(err);
  return { code, stderr };
}

describe('the SQLite classifier', () => {
  it.each([
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
    ['SQLITE_BUSY_RECOVERY', 'busy'],
    ['SQLITE_LOCKED', 'busy'],
    ['SQLITE_LOCKED_SHAREDCACHE', 'busy'],
    ['SQLITE_FULL', 'full'],
    ['ENOSPC', 'full'],
    ['EDQUOT', 'full'],
    ['SQLITE_READONLY', 'permission'],
    ['SQLITE_READONLY_DIRECTORY', 'permission'],
    ['SQLITE_READONLY_CANTINIT', 'permission'],
    ['SQLITE_CANTOPEN', 'permission'],
    ['EACCES', 'permission'],
    ['EPERM', 'permission'],
    ['EROFS', 'permission'],
    ['SQLITE_CORRUPT', 'corrupt'],
    ['SQLITE_CORRUPT_INDEX', 'corrupt'],
    ['SQLITE_NOTADB', 'corrupt'],
    ['SQLITE_IOERR', 'io'],
    ['SQLITE_IOERR_READ', 'io'],
    ['SQLITE_IOERR_FSYNC', 'io'],
    ['SQLITE_READONLY_DBMOVED', 'io'],
    ['EIO', 'io'],
    ['SQLITE_IOERR_NOMEM', null],
    ['SQLITE_ERROR', null],
    ['SQLITE_CONSTRAINT_UNIQUE', null],
    ['ENOENT', null],
  ])('%s is %s', (code, kind) => {
    expect(failureKind(code)).toBe(kind);
  });

  it('leaves what is not a storage failure alone: a bug stays a bug', () => {
    expect(classify(new SqliteError('no such column: x', 'SQLITE_ERROR'))).toBeNull();
    expect(classify(new Error('boom'))).toBeNull();
    expect(classify('text')).toBeNull();
  });

  it('busy: exit 5, the file, that another program holds it for writing, the wait, and the commands that find it', () => {
    const err = classify(new SqliteError('database is locked', 'SQLITE_BUSY'));
    expect(err).toBeInstanceOf(DatabaseBusyError);
    expect(err!.exitCode).toBe(ExitCode.temporary);
    expect(err!.message).toBe(`database ${FILE} is locked: another program holds it open for writing (waited 5s)`);
    expect(err!.fix!.commands).toEqual([`fuser -v ${FILE}`, `lsof ${FILE}`]);
    const mac = classifySqliteFailure("/Users/a b/x's.db", new SqliteError('database is locked', 'SQLITE_BUSY'), { action: 'write' }, { ...options, platform: 'darwin' });
    expect(mac!.fix!.commands).toEqual([`fuser -u '/Users/a b/x'\\''s.db'`, `lsof '/Users/a b/x'\\''s.db'`]);
  });

  it('full: exit 1, the file, the free space and what the page needs', () => {
    const file = path.join(dir, 'x.db');
    const err = classifySqliteFailure(file, new SqliteError('database or disk is full', 'SQLITE_FULL'), { action: 'write', bytes: 2 * 1024 * 1024 }, options);
    expect(err).toBeInstanceOf(DatabaseFullError);
    expect(err!.exitCode).toBe(ExitCode.failure);
    expect(err!.message).toMatch(new RegExp(`^no space left for database ${file}: the disk is full \\([\\d.]+ [KMGT]?i?B free\\), and the sync needs at least 5\\.0 MiB free for the page it was writing$`));
    expect(err!.fix!.commands).toEqual([`df -h ${dir}`]);
    // Nothing known of the write: the least any write needs.
    expect(classify(errno('EDQUOT'))!.message).toMatch(/your disk quota is used up .* needs at least 1\.0 MiB free$/);
  });

  it('corrupt: exit 1, the file, and doctor\'s move-aside fix; a write says nothing more was written', () => {
    const err = classify(new SqliteError('database disk image is malformed', 'SQLITE_CORRUPT'));
    expect(err).toBeInstanceOf(DatabaseCorruptError);
    expect(err!.message).toBe(`database ${FILE} is damaged (SQLITE_CORRUPT: database disk image is malformed); the sync stopped and wrote nothing more to it`);
    expect(err!.fix!.commands).toEqual([`mv ${FILE} ${FILE}.broken && fathom-sync run --all`]);
    expect(classify(new SqliteError('file is not a database', 'SQLITE_NOTADB'), 'read')!.message).toBe(`database ${FILE} is damaged (SQLITE_NOTADB: file is not a database)`);
  });

  it('io: exit 1, the file, and where the system log is on Linux and on macOS', () => {
    const err = classify(new SqliteError('disk I/O error', 'SQLITE_IOERR_READ'), 'read');
    expect(err).toBeInstanceOf(DatabaseIoError);
    expect(err!.message).toBe(`the disk or file system failed while fathom-sync used database ${FILE} (SQLITE_IOERR_READ: disk I/O error)`);
    expect(err!.fix!.commands).toEqual(['journalctl -k -n 50 --no-pager', 'sudo dmesg | tail -n 50']);
    const mac = classifySqliteFailure(FILE, errno('EIO'), { action: 'read' }, { ...options, platform: 'darwin' });
    expect(mac!.fix!.text).toMatch(/Console\.app/);
  });

  it('permission: exit 1 with the facts; a file nobody blocks (root) still gets the code and a command to look', () => {
    const file = path.join(dir, 'x.db');
    fs.writeFileSync(file, '');
    const err = classifySqliteFailure(file, errno('EACCES'), { action: 'write', opening: true }, options);
    expect(err).toBeInstanceOf(DatabasePermissionError);
    expect(err!.exitCode).toBe(ExitCode.failure);
    expect(err!.message).toMatch(new RegExp(`^cannot open database ${file} for reading and writing \\(EACCES\\): `));
    expect(err!.fix!.commands.length).toBeGreaterThan(0);
  });

  it('none of them is printed as an unexpected error; each is one line and its fix', () => {
    const all = ['SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_CORRUPT', 'SQLITE_IOERR_WRITE'].map((code) => classify(new SqliteError('x', code)));
    for (const err of all) {
      expect(isDatabaseFailure(err)).toBe(true);
      const { code, stderr } = printed(err);
      expect(code).toBe(err!.exitCode);
      expect(stderr).not.toContain('unexpected error');
      const lines = stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(`fathom-sync: ${err!.message}`);
      expect(lines[1]).toMatch(/^ {2}fix: /);
    }
    // A real bug still is one.
    expect(printed(new SqliteError('no such table: x', 'SQLITE_ERROR')).stderr).toContain('unexpected error');
  });

  it('mode strings and sizes read as ls and df write them', () => {
    expect(modeString(0o100644, false)).toBe('-rw-r--r--');
    expect(modeString(0o40555, true)).toBe('dr-xr-xr-x');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
  });
});

describe('the storage guard', () => {
  const guard = () => new StorageGuard(sqliteFailures(FILE, options), 'write');

  class Store {
    #calls = 0;
    failWith: string | null = null;
    write(_page: unknown): number {
      this.#calls += 1;
      if (this.failWith) throw new SqliteError('failed', this.failWith);
      return this.#calls;
    }
    get calls(): number {
      return this.#calls;
    }
  }

  it('types the failure, and after a damaged file nothing more reaches the database', () => {
    const g = guard();
    const target = new Store();
    const store = g.wrap(target);
    expect(store.write({})).toBe(1); // private fields work through the wrapper
    target.failWith = 'SQLITE_CORRUPT';
    expect(() => store.write({})).toThrow(DatabaseCorruptError);
    target.failWith = null;
    expect(() => store.write({})).toThrow(g.failure!);
    expect(target.calls).toBe(2);
    expect(() => g.throwIfFailed()).toThrow(DatabaseCorruptError);
  });

  it('after a locked database nothing waits for it a second time', () => {
    const g = guard();
    const target = new Store();
    const store = g.wrap(target);
    target.failWith = 'SQLITE_BUSY';
    expect(() => store.write({})).toThrow(DatabaseBusyError);
    expect(() => store.write({})).toThrow(DatabaseBusyError);
    expect(target.calls).toBe(1);
  });

  it('after a full disk the small writes that record the run are still tried; the size of the failed page is in the message', () => {
    const g = guard();
    const target = new Store();
    const store = g.wrap(target);
    target.failWith = 'SQLITE_FULL';
    expect(() => store.write({ meetings: 'x'.repeat(1024 * 1024) })).toThrow(/needs at least 2\.5 MiB free for the page it was writing/);
    target.failWith = null;
    expect(store.write({})).toBe(2);
    expect(() => g.throwIfFailed()).toThrow(DatabaseFullError);
  });

  it('passes other errors through untouched', () => {
    const store = guard().wrap({ fail: () => { throw new TypeError('a bug'); } });
    expect(() => store.fail()).toThrow(TypeError);
  });

  it('guards every query of a read-only connection: statements, iterate, pragma', async () => {
    const file = path.join(dir, 'g.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)');
    raw.close();
    const failing = { classify: (err: unknown) => ((err as { code?: string }).code === 'SQLITE_ERROR' ? new DatabaseIoError(file, 'typed', 'fix') : null), location: file };
    const db = guardDatabase(new Database(file, { readonly: true }), new StorageGuard(failing, 'read'));
    try {
      expect(db.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual([1, 2]);
      expect([...db.prepare('SELECT x FROM t').iterate()]).toHaveLength(2);
      expect(() => db.prepare('SELECT nope FROM t')).toThrow(DatabaseIoError);
      expect(() => db.pragma('no_such_thing = (')).toThrow(DatabaseIoError);
    } finally {
      db.close();
    }
  });
});

describe('a locked database, for real', () => {
  it('a sync write waits the busy timeout, then fails typed; a read-only connection still reads', async () => {
    const file = path.join(dir, 'x.db');
    const setup = await openDatabase(file);
    setup.close();
    const holder = new Database(file);
    holder.exec("BEGIN IMMEDIATE; INSERT INTO sync_state (account, last_error) VALUES ('someone', 'uncommitted')");
    try {
      const db = await openDatabase(file, { busyTimeoutMs: 50 });
      const g = new StorageGuard(sqliteFailures(file, { busyTimeoutMs: 50 }), 'write');
      const store = g.wrap(new SyncStore(db));
      const started = Date.now();
      expect(() => store.startRun({ trigger: 'manual', mode: 'all', windowStart: null, windowEnd: null, filters: {}, pid: 1 }, '2026-01-01T00:00:00.000Z')).toThrow(
        new RegExp(`^database ${file} is locked: another program holds it open for writing \\(waited 50 ms\\)$`),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(40);
      db.close();
      const reader = await openDatabase(file, { readonly: true, busyTimeoutMs: 60_000 });
      expect(reader.prepare("SELECT count(*) AS n FROM sync_state WHERE last_error = 'uncommitted'").get()).toEqual({ n: 0 });
      reader.close();
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});

describe('runs a locked database could not take', () => {
  const run = (over: Partial<RefusedRun>): RefusedRun => ({ trigger: 'schedule', mode: 'incremental', status: 'skipped', error: 'database x is locked', now: '2026-01-01T10:00:00.000Z', pid: 4242, ...over });

  it('are written by the next run that can: a run without a row as skipped, a row left running as failed', async () => {
    const state = path.join(dir, 'state');
    const db = await openDatabase(path.join(dir, 'x.db'));
    try {
      const store = new SyncStore(db);
      const left = store.startRun({ trigger: 'schedule', mode: 'incremental', windowStart: null, windowEnd: null, filters: {}, pid: 77 }, '2026-01-01T09:00:00.000Z');
      const problems: string[] = [];
      rememberUnrecordedRun(state, run({}), (m) => problems.push(m));
      rememberUnrecordedRun(state, run({ pid: 77, now: '2026-01-01T09:30:00.000Z' }), (m) => problems.push(m));
      expect(await recordUnrecordedRuns(state, store, (m) => problems.push(m))).toBe(2);
      expect(problems).toEqual([]);
      expect(db.prepare('SELECT id, trigger, status, error, started_at, ended_at FROM sync_runs ORDER BY id').all()).toEqual([
        { id: left, trigger: 'schedule', status: 'failed', error: 'database x is locked', started_at: '2026-01-01T09:00:00.000Z', ended_at: '2026-01-01T09:30:00.000Z' },
        { id: left + 1, trigger: 'schedule', status: 'skipped', error: 'database x is locked', started_at: '2026-01-01T10:00:00.000Z', ended_at: '2026-01-01T10:00:00.000Z' },
      ]);
      expect(fs.readdirSync(state)).toEqual([]);
      expect(await recordUnrecordedRuns(state, store, () => {})).toBe(0);
    } finally {
      db.close();
    }
  });

  it('stay remembered when the database still refuses them', async () => {
    const state = path.join(dir, 'state');
    rememberUnrecordedRun(state, run({}), () => {});
    const refusing = { recordUnrecordedRun: () => { throw new DatabaseBusyError('x', 'locked', 'wait'); } };
    await expect(recordUnrecordedRuns(state, refusing, () => {})).rejects.toThrow(DatabaseBusyError);
    expect(fs.readdirSync(state)).toEqual(['unrecorded-runs.jsonl']);
    expect(JSON.parse(fs.readFileSync(path.join(state, 'unrecorded-runs.jsonl'), 'utf8'))).toMatchObject({ status: 'skipped', pid: 4242 });
  });
});
