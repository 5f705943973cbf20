import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { need } from '../helpers/capabilities.js';
import { REPO, collect, dbPath, runCli, startCli, tempHome, type CliResult } from '../helpers/cli.js';
import { query } from '../helpers/truth.js';
import { unprivilegedRunner } from '../helpers/unprivileged.js';

/**
 * Issue 14: every storage failure a user can meet, produced for real against the built CLI: a
 * database another process holds for writing (BEGIN IMMEDIATE), a full tmpfs, files and folders
 * this user may not write (as `nobody`), and a database with a damaged page. Each test checks the
 * one-line message and its fix, the exit code, that "unexpected error" never appears, and that
 * nothing already stored is lost.
 */

const NOW = '2026-11-20T12:00:00Z';

let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;
let file: string;

beforeAll(async () => {
  server = await startFakeFathom({ seed: 14, meetingCount: 40, now: Date.parse(NOW), segmentsPerMeeting: [5, 40], pendingFraction: 0 });
});
afterAll(() => server.close());
beforeEach(() => {
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
  file = dbPath(env);
  server.clearFaults();
  server.resetStats();
});
afterEach(() => home.cleanup());

const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

/**
 * The failure as the user sees it: the exit code, one line that matches `message`, then the fix
 * with `commands`, and never "unexpected error".
 */
function expectStorageFailure(r: CliResult, expected: { code: number; message: RegExp; commands: string[] }): void {
  expect(r.stderr, r.stderr).not.toMatch(/unexpected error/);
  const lines = r.stderr.trimEnd().split('\n');
  const at = lines.findIndex((l) => l.startsWith('fathom-sync: '));
  expect(lines[at], r.stderr).toMatch(expected.message);
  expect(lines[at + 1], r.stderr).toMatch(/^ {2}fix: \S/);
  const fix = lines.slice(at + 1).join('\n');
  for (const command of expected.commands) expect(fix, r.stderr).toContain(command);
  expect(r.code, r.stderr).toBe(expected.code);
}

const regex = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

interface Snapshot {
  counts: Record<string, number>;
  integrity: string[];
  meetings: string;
}

/** What is stored: row counts, PRAGMA integrity_check, and a hash of every meeting's payload (all read without the damaged parts). */
function snapshot(db: string): Snapshot {
  const counts = query<Record<string, number>>(
    db,
    `SELECT (SELECT COUNT(*) FROM meetings) meetings, (SELECT COUNT(*) FROM meeting_attendees) attendees,
            (SELECT COUNT(*) FROM action_items) action_items, (SELECT COUNT(*) FROM contacts) contacts`,
  )[0]!;
  let integrity: string[];
  try {
    integrity = query<{ integrity_check: string }>(db, 'PRAGMA integrity_check').map((r) => r.integrity_check);
  } catch (err) {
    integrity = [`integrity_check itself failed: ${(err as Error).message}`]; // some damage stops the check
  }
  const payloads = query<{ raw_json: string }>(db, 'SELECT raw_json FROM meetings ORDER BY recording_id').map((r) => r.raw_json);
  return { counts, integrity, meetings: crypto.createHash('sha256').update(payloads.join('\n')).digest('hex') };
}

/** Another program with the database open, ready to take the write lock with BEGIN IMMEDIATE. */
interface Holder {
  lock(): Promise<void>;
  release(): Promise<void>;
  stop(): Promise<void>;
}

/** A node + better-sqlite3 child process, as a sqlite3 shell or DB Browser would hold the file. */
async function holderOf(db: string): Promise<Holder> {
  const script = `
    const db = new (require('better-sqlite3'))(${JSON.stringify(db)});
    const rl = require('readline').createInterface({ input: process.stdin });
    rl.on('line', (cmd) => {
      if (cmd === 'lock') {
        db.exec('BEGIN IMMEDIATE');
        db.prepare("UPDATE meetings SET title = 'uncommitted' WHERE 1").run();
      } else if (cmd === 'release') db.exec('ROLLBACK');
      process.stdout.write(cmd + ' done\\n');
    });
    rl.on('close', () => db.close());
    process.stdout.write('ready\\n');`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    lines.push(...d.split('\n').filter(Boolean));
    waiters.splice(0).forEach((w) => w());
  });
  const until = (line: string) =>
    new Promise<void>((resolve) => {
      const check = () => (lines.includes(line) ? resolve() : waiters.push(check));
      check();
    });
  await until('ready');
  const send = async (cmd: string) => {
    lines.length = 0;
    child.stdin!.write(`${cmd}\n`);
    await until(`${cmd} done`);
  };
  return {
    lock: () => send('lock'),
    release: () => send('release'),
    stop: async () => {
      child.stdin!.end();
      await new Promise((resolve) => child.once('close', resolve));
    },
  };
}

describe('a database another program holds open for writing', () => {
  let holder: Holder;
  beforeEach(async () => {
    expect((await runCli(['run', '--all', '--quiet'], env)).code).toBe(0);
    holder = await holderOf(file);
  });
  afterEach(() => holder.stop());

  it('run: exit 5 with the file, the wait and fuser/lsof; nothing lost; the next run records it as skipped', async () => {
    const before = snapshot(file);
    await holder.lock();
    const quick = { ...env, FATHOM_SYNC_BUSY_TIMEOUT_MS: '300' };
    const r = await runCli(['run', '--incremental', '--scheduled', '--quiet'], quick);
    expectStorageFailure(r, {
      code: 5,
      message: regex(`fathom-sync: database ${file} is locked: another program holds it open for writing (waited 300 ms)`),
      commands: [`$ fuser -v ${file}`, `$ lsof ${file}`],
    });
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(4); // the line, the fix, two commands
    const asJson = await runCli(['run', '--json'], quick);
    expect(asJson.code).toBe(5);
    expect(json(asJson.stdout)).toMatchObject({ status: 'failed', exit_code: 5, fix: { commands: [`fuser -v ${file}`, `lsof ${file}`] } });

    await holder.release();
    expect(snapshot(file)).toEqual(before);
    const next = await runCli(['run', '--incremental', '--scheduled', '--quiet'], env);
    expect(next.code, next.stderr).toBe(0);
    const runs = json((await runCli(['log', '--json'], env)).stdout) as Array<Record<string, any>>;
    expect(runs.map((x) => [x.trigger, x.mode, x.status])).toEqual([
      ['schedule', 'incremental', 'ok'],
      ['manual', 'quick', 'skipped'],
      ['schedule', 'incremental', 'skipped'],
      ['manual', 'all', 'ok'],
    ]);
    expect(runs[2]!.error).toBe(`database ${file} is locked: another program holds it open for writing (waited 300 ms)`);
    expect(query(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('run: locked between two pages, the run stops there (exit 5), keeps the page it wrote, and is recorded as failed', async () => {
    const slow = await startFakeFathom({ seed: 15, meetingCount: 30, now: Date.parse(NOW), segmentsPerMeeting: 3, latencyMs: 600, pendingFraction: 0 });
    const e = { ...env, FATHOM_API_URL: slow.url, FATHOM_SYNC_BUSY_TIMEOUT_MS: '300', FATHOM_SYNC_HOME: path.join(home.home, 'slow') };
    const slowFile = dbPath(e);
    try {
      expect((await runCli(['run', '--last', '1', '--quiet'], e)).code).toBe(0);
      const other = await holderOf(slowFile);
      try {
        const child = startCli(['run', '--all'], e);
        const done = collect(child);
        // Page 1 is committed when its progress line appears; page 2 is still 600 ms away.
        await new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => String(d).includes('page 1:') && resolve()));
        await other.lock();
        const r = await done;
        expectStorageFailure(r, { code: 5, message: regex(`database ${slowFile} is locked`), commands: [`$ fuser -v ${slowFile}`] });
        await other.release();
      } finally {
        await other.stop();
      }
      expect(query(slowFile, 'SELECT COUNT(*) n FROM meetings')).toEqual([{ n: 10 }]);
      expect((await runCli(['run', '--last', '1', '--quiet'], e)).code).toBe(0);
      const runs = json((await runCli(['log', '--json'], e)).stdout) as Array<Record<string, any>>;
      // (--last reads windows back from now, as many pages as it takes: only the failed run's page count is fixed.)
      expect(runs.map((x) => [x.mode, x.status])).toEqual([
        ['last', 'ok'],
        ['all', 'failed'],
        ['last', 'ok'],
      ]);
      expect(runs[1]!.pages).toBe(1);
      expect(runs[1]!.error).toMatch(/is locked: another program holds it open for writing/);
      expect(query(slowFile, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    } finally {
      await slow.close();
    }
  });

  it('list, search, show, log and status still read (WAL), at once, and only what is committed', async () => {
    const id = String(query<{ id: number }>(file, 'SELECT MAX(recording_id) id FROM meetings')[0]!.id);
    const reads = [['list', '--json'], ['search', 'budget', '--json'], ['show', id, '--json'], ['log', '--json'], ['status', '--json']];
    const before = await Promise.all(reads.map((args) => runCli(args, env)));
    await holder.lock();
    // A wait for the lock would take a minute: reads never need it.
    const patient = { ...env, FATHOM_SYNC_BUSY_TIMEOUT_MS: '60000' };
    const started = Date.now();
    for (const [i, args] of reads.entries()) {
      const r = await runCli(args, patient);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).not.toContain('uncommitted');
      if (args[0] !== 'status') expect(r.stdout, args.join(' ')).toBe(before[i]!.stdout);
    }
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('doctor reports a database that stays locked, with the commands that find the program; not once it is released', async () => {
    await holder.lock();
    const e = { ...env, FATHOM_SYNC_BUSY_TIMEOUT_MS: '500' };
    const r = await runCli(['doctor', '--json'], e);
    expect(r.code).toBe(1);
    const check = (json(r.stdout).checks as Array<Record<string, any>>).find((c) => c.id === 'database')!;
    expect(check).toMatchObject({ status: 'failure', fix: { commands: [`fuser -v ${file}`, `lsof ${file}`] } });
    expect(check.summary).toBe(`${file} stays locked: another program has held it open for writing for over 500 ms, so every sync fails until it lets go`);
    const text = await runCli(['doctor'], e);
    expect(text.stdout).toContain(`$ fuser -v ${file}`);
    expect(text.stdout + text.stderr).not.toMatch(/unexpected error/);
    await holder.release();
    const after = json((await runCli(['doctor', '--json'], e)).stdout).checks as Array<Record<string, any>>;
    expect(after.find((c) => c.id === 'database')).toMatchObject({ status: 'ok' });
  });
});

const tmpfs = need('tmpfs-mount');
describe.skipIf(tmpfs.skip)(tmpfs.title('a full disk (a 4 MiB tmpfs)'), () => {
  let mnt: string;
  let big: FakeFathom;
  beforeAll(async () => {
    big = await startFakeFathom({ seed: 16, meetingCount: 80, now: Date.parse(NOW), segmentsPerMeeting: [80, 160], pendingFraction: 0 });
  });
  afterAll(() => big.close());
  beforeEach(() => {
    mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-full-'));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0755', 'tmpfs', mnt], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
  afterEach(() => {
    spawnSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  });

  it('run: exit 1 with the file, the space left and what the page needs; whole pages kept, the run recorded as failed', async () => {
    const db = path.join(mnt, 'calls.db');
    const e = { ...env, FATHOM_API_URL: big.url };
    const first = await runCli(['run', '--last', '10', '--quiet', '--db', db], e);
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(db);
    const storedBefore = query<{ recording_id: number; raw_json: string }>(db, 'SELECT recording_id, raw_json FROM meetings ORDER BY recording_id');

    const r = await runCli(['run', '--all', '--quiet', '--db', db], e);
    expectStorageFailure(r, {
      code: 1,
      message: new RegExp(`^fathom-sync: no space left for database ${db}: the disk is full \\(\\d+(\\.\\d)? (B|KiB) free\\), and the sync needs at least [\\d.]+ MiB free for the page it was writing$`),
      commands: [`$ df -h ${mnt}`],
    });
    expect(r.stderr).toMatch(/fix: Free at least [\d.]+ MiB on that disk .*everything synced so far is kept/);

    const after = snapshot(db);
    expect(after.integrity).toEqual(['ok']);
    expect(after.counts.meetings).toBeGreaterThanOrEqual(before.counts.meetings);
    expect(after.counts.meetings % 10).toBe(0); // whole pages
    // What was stored before is still there, byte for byte; every stored meeting has all its transcript.
    const kept = new Map(query<{ recording_id: number; raw_json: string }>(db, 'SELECT recording_id, raw_json FROM meetings').map((m) => [m.recording_id, m.raw_json]));
    for (const m of storedBefore) expect(kept.get(m.recording_id)).toBe(m.raw_json);
    expect(query(db, 'SELECT COUNT(*) n FROM meetings m WHERE transcript_segment_count != (SELECT COUNT(*) FROM transcript_segments s WHERE s.recording_id = m.recording_id)')).toEqual([{ n: 0 }]);
    const runs = json((await runCli(['log', '--json', '--db', db], e)).stdout) as Array<Record<string, any>>;
    expect(runs[0]).toMatchObject({ mode: 'all', status: 'failed', error: expect.stringMatching(/^no space left for database .*: the disk is full/) });
    // Reading needs no space.
    const list = await runCli(['list', '--json', '--limit', '100', '--db', db], e);
    expect(list.code, list.stderr).toBe(0);
    expect(json(list.stdout)).toHaveLength(after.counts.meetings);
  });
});

const unprivileged = unprivilegedRunner();
describe.skipIf(unprivileged.skip)(unprivileged.title('a database this user may not write'), () => {
  let dir: string;
  let template: string;
  let userEnv: NodeJS.ProcessEnv;
  const chown = (p: string) => unprivileged.asOtherUser && fs.chownSync(p, 65534, 65534);
  const sha = (p: string) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');

  beforeEach(async () => {
    expect((await runCli(['run', '--all', '--quiet'], env)).code).toBe(0);
    template = file;
    // World-traversable, so `nobody` reaches what is inside; its own home for state and lock.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-perm-'));
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'home'));
    chown(path.join(dir, 'home'));
    userEnv = { ...env, FATHOM_SYNC_HOME: path.join(dir, 'home'), FATHOM_SYNC_DB: undefined };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A copy of a synced database in its own folder, the user's unless `owner` says root. */
  const place = (name: string, mode: number, dirMode = 0o755): string => {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder);
    const db = path.join(folder, 'calls.db');
    fs.copyFileSync(template, db);
    chown(folder);
    chown(db);
    fs.chmodSync(db, mode);
    fs.chmodSync(folder, dirMode);
    return db;
  };
  const me = unprivileged.asOtherUser ? 'nobody' : os.userInfo().username;

  it.skipIf(!unprivileged.asOtherUser)('a database that belongs to another user: exit 1 with its owner and mode and the chown that fixes it; run and list', async () => {
    const db = path.join(dir, 'calls.db');
    fs.copyFileSync(template, db);
    fs.chmodSync(db, 0o600);
    const before = sha(db);
    const r = await unprivileged.run(['run', '--quiet', '--db', db], userEnv);
    expectStorageFailure(r, {
      code: 1,
      message: regex(`fathom-sync: cannot open database ${db} for reading and writing (EACCES): it belongs to root (-rw------- root root), and you are nobody`),
      commands: [`$ sudo chown nobody ${db} ${dir}`],
    });
    const list = await unprivileged.run(['list', '--db', db], userEnv);
    expectStorageFailure(list, { code: 1, message: regex(`fathom-sync: cannot open database ${db} for reading (EACCES): it belongs to root (-rw------- root root), and you are nobody`), commands: ['sudo chown nobody'] });
    expect(sha(db)).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['calls.db', 'home']);
  });

  it('a read-only file: exit 1 with ls -l facts and the chmod that fixes it; list still reads it; after the fix the sync runs', async () => {
    const db = place('ro', 0o444);
    const before = snapshot(db);
    const list = await unprivileged.run(['list', '--json', '--db', db], userEnv);
    expect(list.code, list.stderr).toBe(0);
    expect(json(list.stdout)).toHaveLength(20);
    const r = await unprivileged.run(['run', '--quiet', '--db', db], userEnv);
    expectStorageFailure(r, {
      code: 1,
      message: new RegExp(`^fathom-sync: cannot open database ${db} for reading and writing \\(EACCES\\): it is read-only \\(-r--r--r-- ${me} \\S+\\)$`),
      commands: [`$ chmod u+rw ${db}`],
    });
    expect(snapshot(db)).toEqual(before);
    // The fix as printed (run as that user) makes the next sync work.
    const fix = r.stderr.split('\n').filter((l) => l.trim().startsWith('$ ')).map((l) => l.trim().slice(2));
    for (const command of fix) expect(spawnSync(unprivileged.asOtherUser ? 'setpriv' : 'sh', unprivileged.asOtherUser ? ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', command] : ['-c', command]).status).toBe(0);
    const again = await unprivileged.run(['run', '--quiet', '--db', db], userEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(snapshot(db).counts.meetings).toBe(before.counts.meetings);
  });

  it('a read-only folder: exit 1 with the folder, its facts and the chmod; doctor says the same', async () => {
    const db = place('rodir', 0o644, 0o555);
    const folder = path.dirname(db);
    const before = sha(db);
    const r = await unprivileged.run(['run', '--quiet', '--db', db], userEnv);
    expectStorageFailure(r, {
      code: 1,
      message: new RegExp(
        `^fathom-sync: cannot open database ${db} for reading \\(SQLITE_READONLY_DIRECTORY\\): its folder ${folder} is a read-only folder \\(dr-xr-xr-x ${me} \\S+\\); SQLite creates calls\\.db-wal and -shm there$`,
      ),
      commands: [`$ chmod u+rwx ${folder}`],
    });
    const doctor = await unprivileged.run(['doctor', '--json', '--db', db], userEnv);
    const check = (json(doctor.stdout).checks as Array<Record<string, any>>).find((c) => c.id === 'database')!;
    expect(check).toMatchObject({ status: 'failure', fix: { commands: [`chmod u+rwx ${folder}`] } });
    expect(check.summary).toMatch(/its folder .* is a read-only folder/);
    expect(sha(db)).toBe(before);
    expect(fs.readdirSync(folder)).toEqual(['calls.db']);
  });
});

describe('a damaged database', () => {
  let damaged: FakeFathom;
  beforeAll(async () => {
    damaged = await startFakeFathom({ seed: 17, meetingCount: 30, now: Date.parse(NOW), segmentsPerMeeting: [20, 60], pendingFraction: 0 });
  });
  afterAll(() => damaged.close());

  /** Overwrites the root page of a table or index of a checkpointed database with garbage. */
  const damage = (db: string, name: string) => {
    const rw = new Database(db);
    rw.pragma('wal_checkpoint(TRUNCATE)');
    const { rootpage } = rw.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(name) as { rootpage: number };
    const pageSize = rw.pragma('page_size', { simple: true }) as number;
    rw.close();
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
    fs.closeSync(fd);
  };

  it('a damaged table page met mid-run: exit 1, the move-aside fix, nothing more written; what is intact still reads', async () => {
    const e = { ...env, FATHOM_API_URL: damaged.url };
    expect((await runCli(['run', '--all', '--quiet'], e)).code).toBe(0);
    damage(file, 'transcript_segments');
    const before = snapshot(file);
    expect(before.integrity).not.toEqual(['ok']);
    // The parts the damage did not reach pass their own check, before and after.
    const intact = () => query(file, "PRAGMA integrity_check('meetings')");
    expect(intact()).toEqual([{ integrity_check: 'ok' }]);
    const stateBefore = query(file, 'SELECT * FROM sync_state');
    const runsBefore = query<{ id: number }>(file, 'SELECT id FROM sync_runs');
    damaged.addMeetings(2); // the first page now writes transcript lines, into the damaged table

    const r = await runCli(['run', '--all', '--quiet'], e);
    expectStorageFailure(r, {
      code: 1,
      message: regex(`fathom-sync: database ${file} is damaged (SQLITE_CORRUPT: database disk image is malformed); the sync stopped and wrote nothing more to it`),
      commands: [`$ mv ${file} ${file}.broken && fathom-sync run --all`],
    });
    // Nothing after the damage was met: no page, no end of run, no error in sync_state, no tidy-up.
    const after = snapshot(file);
    expect(after).toEqual(before);
    expect(intact()).toEqual([{ integrity_check: 'ok' }]);
    expect(query(file, 'SELECT * FROM sync_state')).toEqual(stateBefore);
    const runs = query<{ id: number; status: string; ended_at: string | null; pages: number }>(file, 'SELECT id, status, ended_at, pages FROM sync_runs ORDER BY id');
    expect(runs).toHaveLength(runsBefore.length + 1);
    expect(runs.at(-1)).toMatchObject({ status: 'running', ended_at: null, pages: 0 });

    // Meetings are intact and still listed; a transcript search meets the damage, typed.
    const list = await runCli(['list', '--json'], e);
    expect(list.code, list.stderr).toBe(0);
    const search = await runCli(['search', 'budget', '--in', 'transcript'], e);
    expectStorageFailure(search, { code: 1, message: regex(`fathom-sync: database ${file} is damaged (SQLITE_CORRUPT`), commands: [`$ mv ${file} ${file}.broken && fathom-sync run --all`] });
    expect(search.stderr).not.toContain('the sync stopped');
    const doctor = await runCli(['doctor', '--json'], e);
    expect((json(doctor.stdout).checks as Array<Record<string, any>>).find((c) => c.id === 'database')).toMatchObject({
      status: 'failure',
      fix: { commands: [`mv ${file} ${file}.broken && fathom-sync run --all`] },
    });
  });

  it('a damaged index page: list fails with exit 1 and the same fix', async () => {
    const e = { ...env, FATHOM_API_URL: damaged.url };
    expect((await runCli(['run', '--all', '--quiet'], e)).code).toBe(0);
    damage(file, 'meetings_created_at');
    const before = snapshot(file);
    const intact = () => query(file, "PRAGMA integrity_check('meeting_attendees')");
    expect(intact()).toEqual([{ integrity_check: 'ok' }]);
    const list = await runCli(['list'], e);
    expectStorageFailure(list, { code: 1, message: regex(`fathom-sync: database ${file} is damaged (SQLITE_CORRUPT`), commands: [`$ mv ${file} ${file}.broken && fathom-sync run --all`] });
    expect(snapshot(file)).toEqual(before);
    expect(intact()).toEqual([{ integrity_check: 'ok' }]);
  });
});
