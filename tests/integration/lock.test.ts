import { spawn } from 'node:child_process';
import type http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { collect, runCli, startCli, stderrContains, tempHome } from '../helpers/cli.js';
import { describeTargets, type TestDatabase } from '../helpers/targets.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * One sync at a time, with real processes, on both storage targets (tests/helpers/targets.ts): a
 * lock file per profile for SQLite, an advisory lock per account for PostgreSQL. The first sync is
 * held inside its first API call by a gate the test opens: while the server holds that request,
 * the sync holds the lock, and no timing is involved.
 */

let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;
let gate: { arrived: Promise<void>; open: () => void };
let resetGate: () => void;

function newGate() {
  let arrive!: () => void;
  let open!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const opened = new Promise<void>((r) => (open = r));
  return { arrived, open, arrive, opened };
}

beforeAll(async () => {
  server = await startFakeFathom({ seed: 5, meetingCount: 5 });
  let current = newGate();
  gate = current;
  server.addRoute('GET', '/external/v1/meetings', async (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const g = current;
    g.arrive();
    await g.opened;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ limit: 10, next_cursor: null, items: [] }));
  });
  // Each test gets a fresh gate.
  resetGate = () => {
    current = newGate();
    gate = current;
  };
});
afterAll(() => server.close());
beforeEach(() => {
  resetGate();
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key' };
});
afterEach(() => {
  gate.open();
  home.cleanup();
});

const lockFile = () => path.join(env.FATHOM_SYNC_HOME!, 'state', 'sync.lock');

describeTargets('run lock', (target) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await target.fresh(env);
    env = db.env;
  });
  afterEach(() => target.cleanup());

  /** How a refusal names the running sync: its pid and since when (PostgreSQL: its connection's name, which carries the pid). */
  const holderOf = (pid: number): RegExp =>
    target.name === 'sqlite'
      ? new RegExp(`^sync already running \\(pid ${pid} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`)
      : new RegExp(`^a sync of profile default is already running into this database \\(fathom-sync sync default pid ${pid} on .+ since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\)$`);

  it('a second run while one is running exits 6 with one line naming the pid and start time', async () => {
    const first = startCli(['run', '--json'], env);
    first.stdin!.end();
    const firstDone = collect(first);
    await gate.arrived;
    expect(await db.lockHeld()).toBe(true);

    // A second machine would have a home of its own: the database's lock holds it off all the same.
    const elsewhere = target.name === 'postgresql' ? { ...env, FATHOM_SYNC_HOME: path.join(home.home, 'other-machine') } : env;
    const second = await runCli(['run', '--json'], elsewhere);
    expect(second.code).toBe(6);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'failed', exit_code: 6 });
    const [line, fix] = second.stderr.trim().split('\n');
    const refusal = line!.replace(/^fathom-sync: /, '');
    expect(refusal).toMatch(holderOf(first.pid!));
    if (target.name === 'sqlite') {
      const owner = JSON.parse(fs.readFileSync(lockFile(), 'utf8')) as { pid: number; host: string; startedAt: string };
      expect(owner).toMatchObject({ pid: first.pid, host: os.hostname() });
      expect(refusal).toBe(`sync already running (pid ${first.pid} since ${owner.startedAt})`);
    }
    expect(fix).toMatch(/fix: wait for it to finish, or pass --wait/);

    gate.open();
    const done = await firstDone;
    expect(done.code, done.stderr).toBe(0);
    expect(await db.lockHeld()).toBe(false);
    if (target.name === 'sqlite') expect(fs.existsSync(lockFile())).toBe(false);
    // The refused run is in the history as skipped, and wrote nothing else.
    expect(await db.rows('SELECT status, error, trigger FROM sync_runs ORDER BY id')).toEqual([
      { status: 'ok', error: null, trigger: 'manual' },
      { status: 'skipped', error: refusal, trigger: 'manual' },
    ]);
    expect(await db.rows('SELECT last_run_id, last_error FROM sync_state')).toEqual([{ last_run_id: 1, last_error: null }]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during a sync ends it with exit %i, releases the lock and records the run as interrupted', async (signal, code) => {
    const run = startCli(['run', '--json'], env);
    run.stdin!.end();
    const done = collect(run);
    await gate.arrived;
    expect(await db.lockHeld()).toBe(true);
    run.kill(signal);
    const r = await done;
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toContain(`fathom-sync: interrupted (${signal}): the meetings written so far are kept`);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'interrupted', exit_code: code });
    expect(await db.lockHeld()).toBe(false);
    if (target.name === 'sqlite') expect(fs.existsSync(lockFile())).toBe(false);
    expect(await db.rows('SELECT status, error, CASE WHEN ended_at IS NULL THEN 0 ELSE 1 END AS ended FROM sync_runs')).toEqual([
      { status: 'interrupted', error: `interrupted (${signal}): the meetings written so far are kept`, ended: 1 },
    ]);
    // The next run is not blocked by anything the interrupted one left.
    gate.open();
    const next = await runCli(['run'], env);
    expect(next.code, next.stderr).toBe(0);
  });

  it('--wait waits for the running sync, then runs', async () => {
    const first = startCli(['run'], env);
    first.stdin!.end();
    const firstDone = collect(first);
    await gate.arrived;

    const second = startCli(['run', '--wait'], env);
    second.stdin!.end();
    const waiting = stderrContains(second, 'waiting for the sync already running (');
    const secondDone = collect(second);
    await waiting;
    gate.open();
    const [a, b] = await Promise.all([firstDone, secondDone]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(new RegExp(`^waiting for the sync already running \\(.*pid ${first.pid} .*\\) to finish\\.\\.\\.$`, 'm'));
    const runs = await db.rows<{ status: string; started_at: string; ended_at: string; pid: number }>('SELECT status, started_at, ended_at, pid FROM sync_runs ORDER BY id');
    expect(runs.map((r) => [r.status, r.pid])).toEqual([
      ['ok', first.pid],
      ['ok', second.pid],
    ]);
    // Instants, not text: the product writes '…:05Z' for a time on a whole second and '…:05.001Z' otherwise.
    expect(Date.parse(runs[1]!.started_at)).toBeGreaterThanOrEqual(Date.parse(runs[0]!.ended_at));
  });

  it('a sync killed with -9 does not hold up the next one, which records it as interrupted', async () => {
    const run = startCli(['run'], env);
    run.stdin!.end();
    const done = collect(run);
    await gate.arrived;
    run.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    // SQLite: the lock file stays, naming a process that is gone. PostgreSQL: the lock goes with
    // the connection, once the server has seen it close.
    await waitFor(async () => !(await db.lockHeld()), "the killed sync's lock to be free");
    gate.open();
    const next = await runCli(['run'], env);
    expect(next.code, next.stderr).toBe(0);
    if (target.name === 'sqlite') expect(next.stderr).toContain(`took over a stale lock (process ${run.pid} no longer exists)`);
    expect(await db.rows('SELECT status, pid FROM sync_runs ORDER BY id')).toEqual([
      { status: 'interrupted', pid: run.pid },
      { status: 'ok', pid: expect.any(Number) },
    ]);
  });
});

describe('the SQLite lock file', () => {
  it('takes over a lock left by a process that died', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    const exited = await collect(dead);
    expect(exited.code).toBe(0);
    fs.mkdirSync(path.dirname(lockFile()), { recursive: true });
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: dead.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    gate.open();
    const r = await runCli(['run'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`took over a stale lock (process ${dead.pid} no longer exists)`);
    expect(fs.existsSync(lockFile())).toBe(false);
  });
});
