import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { CLI, collect, dbPath, runCli, tempHome } from '../helpers/cli.js';
import { createThrowawayUser, crontabUnavailableReason, type ThrowawayUser } from '../helpers/crontab-user.js';
import { query } from '../helpers/truth.js';
import Database from 'better-sqlite3';

/**
 * doctor against the built CLI: a healthy setup first, then each problem made on purpose,
 * checking that doctor names it, prints its fix, and exits 1 for failures and 0 for warnings.
 */

let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;

type Check = { id: string; status: string; summary: string; fix: { text: string; commands: string[] } | null };
const doctorJson = async (e = env) => {
  const r = await runCli(['doctor', '--json'], e);
  if (!r.stdout) throw new Error(`doctor printed nothing (exit ${r.code}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
  return { code: r.code, out, check: (id: string) => out.checks.find((c) => c.id === id)! };
};

beforeAll(async () => {
  server = await startFakeFathom({ seed: 9, meetingCount: 12, now: Date.now() - 3600_000, pendingFraction: 0 });
});
afterAll(() => server.close());
beforeEach(() => {
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_API_URL: server.url };
});
afterEach(() => home.cleanup());

/** connect with the key stored in a file (no keychain here), then one sync. */
async function healthySetup(): Promise<void> {
  const connected = await runCli(['connect', '--api-key'], { ...env, FATHOM_SYNC_TOKEN_STORE: 'file' }, { input: 'fake-api-key\n' });
  expect(connected.code, connected.stderr).toBe(0);
  const run = await runCli(['run', '--quiet'], env);
  expect(run.code, run.stderr).toBe(0);
}

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('doctor', () => {
  it('a healthy setup: every check in a fixed order, no failures, exit 0', async () => {
    await healthySetup();
    const text = await runCli(['doctor'], env);
    expect(text.code, text.stdout).toBe(0);
    const titles = text.stdout.split('\n').filter((l) => /^[✓!✗-] /.test(l)).map((l) => l.slice(2, 24).trim());
    expect(titles).toEqual(['Node.js', 'Directories', 'Configuration', 'Database', 'Credential', 'Token expiry', 'Fathom API', 'Credential for the job', 'Schedule', 'Last sync', 'Run lock']);
    expect(text.stdout).toMatch(/^✓ Database +12 meetings, schema v3, integrity ok$/m);
    expect(text.stdout).toMatch(/^✓ Credential for the job +the scheduled job can read it/m);
    expect(text.stdout).toMatch(/^! Schedule +no hourly sync is installed\n {4}fix: .*\n {6}\$ fathom-sync install-cron$/m);
    expect(text.stdout.trim().split('\n').at(-1)).toBe('Working, with warnings: 10 ok, 1 warning, 0 failures.');

    const { out } = await doctorJson();
    expect(out.ok).toBe(true);
    expect(out.checks.map((c) => c.id)).toEqual(['node', 'directories', 'config', 'database', 'credential', 'token-expiry', 'api', 'cron-credential', 'schedule', 'last-run', 'lock']);
  });

  it('an unwritable directory fails with a fix', async () => {
    fs.mkdirSync(env.FATHOM_SYNC_HOME!, { recursive: true });
    // Root may write anywhere, so "unwritable" is made the one way that stops root too.
    const stateDir = path.join(env.FATHOM_SYNC_HOME!, 'state');
    fs.writeFileSync(stateDir, 'a file where the state directory should be');
    const { code, check } = await doctorJson({ ...env, FATHOM_API_KEY: 'fake-api-key' });
    expect(code).toBe(1);
    expect(check('directories')).toMatchObject({ status: 'failure', summary: expect.stringContaining(`state directory ${stateDir} is not writable (ENOTDIR`) });
    expect(check('directories').fix!.commands).toEqual([`mv ${stateDir} ${stateDir}.bak`]);
    const text = await runCli(['doctor'], { ...env, FATHOM_API_KEY: 'fake-api-key' });
    expect(text.stdout).toMatch(/^✗ Directories [^\n]*\n( {4}[^\n]*\n)* {4}fix: [^\n]*move it out of the way:\n {6}\$ mv /m);
  });

  it('a corrupt database file fails with a fix', async () => {
    await healthySetup();
    const db = dbPath(env);
    // Damage the middle of the file, past the header: the file still looks like SQLite.
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 4096);
    fs.closeSync(fd);
    const { code, check } = await doctorJson();
    expect(code).toBe(1);
    expect(check('database').status).toBe('failure');
    expect(check('database').fix!.commands).toEqual([`mv ${db} ${db}.broken && fathom-sync run --all`]);

    fs.writeFileSync(db, 'not a database');
    for (const suffix of ['-wal', '-shm']) fs.rmSync(db + suffix, { force: true });
    const garbage = await doctorJson();
    expect(garbage.check('database')).toMatchObject({ status: 'failure', summary: expect.stringMatching(/not a SQLite database/) });
  });

  it('a missing credential fails with connect', async () => {
    const { code, check } = await doctorJson();
    expect(code).toBe(1);
    expect(check('credential')).toMatchObject({ status: 'failure', summary: 'no Fathom credential', fix: { commands: ['fathom-sync connect'] } });
    expect(check('api').status).toBe('skipped');
  });

  it('a rejected token fails with connect, told apart from the network', async () => {
    const { code, check } = await doctorJson({ ...env, FATHOM_API_KEY: 'revoked-key' });
    expect(code).toBe(1);
    expect(check('api')).toMatchObject({ status: 'failure', summary: expect.stringMatching(/^Fathom rejected the credential/), fix: { commands: ['fathom-sync connect'] } });
  });

  it('an unreachable API fails as a network problem', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/external/v1`;
    const { code, check } = await doctorJson({ ...env, FATHOM_API_KEY: 'fake-api-key', FATHOM_API_URL: url });
    expect(code).toBe(1);
    expect(check('api')).toMatchObject({ status: 'failure', summary: expect.stringMatching(new RegExp(`^cannot reach ${url}: .*ECONNREFUSED`)) });
    expect(check('api').fix!.text).toMatch(/internet connection/);
  });

  it('a stale lock is a warning with the command that removes it; exit 0', async () => {
    await healthySetup();
    const dead = spawn(process.execPath, ['-e', '']);
    await collect(dead);
    const lock = path.join(env.FATHOM_SYNC_HOME!, 'state', 'sync.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: dead.pid, host: os.hostname(), startedAt: new Date().toISOString() }));
    const { code, check } = await doctorJson();
    expect(code).toBe(0);
    expect(check('lock')).toMatchObject({ status: 'warning', summary: expect.stringContaining(`stale lock left by pid ${dead.pid}`), fix: { commands: [`rm ${lock}`] } });
  });

  describe.skipIf(crontabUnavailableReason() !== null)('with a schedule (real crontab, throwaway user)', () => {
    let user: ThrowawayUser;
    beforeEach(() => {
      user = createThrowawayUser();
    });
    afterEach(() => user.remove());

    it('a schedule pointing at a node binary that was deleted fails with install-cron', async () => {
      await healthySetup();
      // Install with a copy of node, as an nvm or Homebrew upgrade leaves the old path behind.
      const oldNode = path.join(home.home, 'old-node', 'bin', 'node');
      fs.mkdirSync(path.dirname(oldNode), { recursive: true });
      fs.copyFileSync(process.execPath, oldNode);
      fs.chmodSync(oldNode, 0o755);
      const child = spawn(oldNode, [CLI, 'install-cron', '--crontab-user', user.name], { env });
      child.stdin!.end();
      const installed = await collect(child);
      expect(installed.code, installed.stderr).toBe(0);
      expect(user.crontab()).toContain(oldNode);
      expect((await doctorJson()).check('schedule').status).toBe('ok');

      fs.rmSync(path.dirname(path.dirname(oldNode)), { recursive: true });
      const { code, check } = await doctorJson();
      expect(code).toBe(1);
      expect(check('schedule')).toMatchObject({ status: 'failure', summary: expect.stringContaining(`${oldNode}, which no longer exists`), fix: { commands: ['fathom-sync install-cron'] } });
    });

    it('an old last success, with the schedule installed, is a warning; exit 0', async () => {
      await healthySetup();
      expect((await runCli(['install-cron', '--crontab-user', user.name], env)).code).toBe(0);
      const threeHoursAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
      const db = new Database(dbPath(env));
      db.prepare('UPDATE sync_runs SET started_at = ?, ended_at = ?').run(threeHoursAgo, threeHoursAgo);
      db.prepare('UPDATE sync_state SET last_success_at = ?').run(threeHoursAgo);
      db.close();
      const { code, check } = await doctorJson();
      expect(code).toBe(0);
      expect(check('last-run')).toMatchObject({ status: 'warning', summary: expect.stringMatching(/^last success 3\.0 h ago, though the schedule runs every hour/) });
      expect(check('last-run').fix!.commands).toContain('fathom-sync log');
      expect(query(dbPath(env), 'SELECT COUNT(*) AS n FROM sync_runs')[0]).toEqual({ n: 1 });
    });
  });
});
