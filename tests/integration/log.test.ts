import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { query } from '../helpers/truth.js';

const NOW = '2026-11-20T12:00:00Z';

let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startFakeFathom({ seed: 4, meetingCount: 8, now: Date.parse(NOW) });
});
afterAll(() => server.close());
beforeEach(() => {
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
});
afterEach(() => home.cleanup());

describe('log', () => {
  it('says so when nothing has run yet', async () => {
    const r = await runCli(['log'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No sync has run yet/);
    expect(JSON.parse((await runCli(['log', '--json'], env)).stdout)).toEqual([]);
  });

  it('lists manual and scheduled runs, newest first, with errors; --limit and --json', async () => {
    expect((await runCli(['run', '--quiet'], env)).code).toBe(0);
    expect((await runCli(['run', '--incremental', '--quiet', '--scheduled'], env)).code).toBe(0);
    const failed = await runCli(['run', '--quiet'], { ...env, FATHOM_API_KEY: 'revoked' });
    expect(failed.code).toBe(4);

    const text = await runCli(['log'], env);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +STARTED \(UTC\) +TRIGGER +MODE +STATUS +TOOK +SEEN +NEW +UPDATED$/);
    expect(lines[1]).toMatch(/^3 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +manual +quick +failed /);
    expect(lines[2]).toMatch(/^ +error: Fathom rejected the credential/);
    expect(lines[3]).toMatch(/^2 +\S+ \S+ +schedule +incremental +ok /);
    expect(lines[4]).toMatch(/^1 +\S+ \S+ +manual +quick +ok +\S+( \S+)? +8 +8 +0$/);

    const limited = JSON.parse((await runCli(['log', '--json', '--limit', '2'], env)).stdout) as Record<string, unknown>[];
    expect(limited.map((r) => [r.id, r.trigger, r.status])).toEqual([
      [3, 'manual', 'failed'],
      [2, 'schedule', 'ok'],
    ]);
    expect(limited[1]).toMatchObject({ mode: 'incremental', meetings_new: 0, error: null, duration_ms: expect.any(Number) });

    const bad = await runCli(['log', '--limit', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit "0" must be a whole number of at least 1/);
  });

  it('a run prunes history older than 30 days and cuts an oversized log file back to its newest lines', async () => {
    expect((await runCli(['run', '--quiet'], env)).code).toBe(0);
    const db = new Database(dbPath(env));
    const insert = db.prepare("INSERT INTO sync_runs (trigger, mode, started_at, ended_at, status) VALUES ('schedule', 'incremental', ?, ?, 'ok')");
    const daysAgo = (d: number) => new Date(Date.now() - d * 24 * 3600_000).toISOString();
    insert.run(daysAgo(45), daysAgo(45));
    insert.run(daysAgo(31), daysAgo(31));
    const recent = daysAgo(29);
    insert.run(recent, recent);
    db.close();

    const logFile = path.join(env.FATHOM_SYNC_HOME!, 'state', 'sync.log');
    const oldLine = 'synced 0 meetings (0 new, 0 updated) in 0.1s · an old line\n';
    fs.writeFileSync(logFile, `FIRST LINE\n${oldLine.repeat(Math.ceil((1.5 * 1024 * 1024) / oldLine.length))}NEWEST LINE\n`);

    expect((await runCli(['run', '--quiet'], env)).code).toBe(0);
    const starts = query<{ started_at: string }>(dbPath(env), 'SELECT started_at FROM sync_runs ORDER BY started_at').map((r) => r.started_at);
    // The 45- and 31-day-old rows are gone; the 29-day-old one and both real runs remain.
    expect(starts).toEqual([recent, expect.any(String), expect.any(String)]);

    const log = fs.readFileSync(logFile, 'utf8');
    expect(log.length).toBeLessThanOrEqual(256 * 1024);
    expect(log).not.toContain('FIRST LINE');
    expect(log.startsWith(oldLine)).toBe(true);
    expect(log.endsWith('NEWEST LINE\n')).toBe(true);
  });
});
