import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { REPO, collect, dbPath, runCli, tempHome } from '../helpers/cli.js';
import { AUTHORIZE_URL_PATTERN, freePort, oauthEnv, playBrowser, startLiveCli, startOAuthFake } from '../helpers/connect.js';
import { need } from '../helpers/capabilities.js';
import { createThrowawayUser, type ThrowawayUser } from '../helpers/crontab-user.js';
import { query } from '../helpers/truth.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import { startSecretService, type SecretService } from '../helpers/secret-service.js';
import { KeychainStore } from '../../src/auth/keychain-store.js';

/**
 * Profiles (several Fathom accounts), through the real CLI: two accounts on two fake Fathoms, each
 * accepting only its own API key, connected as `default` and `work` with their own saved API URL.
 * Nothing sets FATHOM_API_URL or FATHOM_API_KEY at run time: each profile must find its own.
 * The PostgreSQL tests need the server the test command starts (npm test), the crontab ones root.
 */

const crontab = need('crontab');
const postgres = need('postgresql');
const secrets = need('secret-service');

let workFake: FakeFathom;
let defaultFake: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // An hour back: the hourly job's incremental run (real time) sees every meeting as past.
  const now = Date.now() - 3600_000;
  defaultFake = await startFakeFathom({ seed: 3, meetingCount: 6, now, segmentsPerMeeting: [0, 4], pendingFraction: 0, rateLimit: false, apiKeys: ['key-default'] });
  workFake = await startFakeFathom({ seed: 29, meetingCount: 4, now, segmentsPerMeeting: [0, 4], pendingFraction: 0, rateLimit: false, apiKeys: ['key-work'] });
});
afterAll(async () => {
  await defaultFake.close();
  await workFake.close();
});
beforeEach(() => {
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_SYNC_TOKEN_STORE: 'file' };
  for (const fake of [defaultFake, workFake]) {
    fake.clearFaults();
    fake.resetStats();
  }
});
afterEach(() => home.cleanup());

const json = (stdout: string) => JSON.parse(stdout) as any;
const configFile = () => path.join(env.FATHOM_SYNC_HOME!, 'config', 'config.json');
const meetingIds = (fake: FakeFathom) => fake.meetings().map((m) => m.recording_id);

async function connect(profile: string | null, key: string, url: string) {
  const args = ['connect', '--api-key', '--api-url', url, ...(profile ? ['--profile', profile] : [])];
  return runCli(args, env, { input: `${key}\n` });
}

/** `default` on one fake, `work` on the other. */
async function connectBoth(): Promise<void> {
  const first = await connect(null, 'key-default', defaultFake.url);
  expect(first.code, first.stderr).toBe(0);
  const second = await connect('work', 'key-work', workFake.url);
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toMatch(/^Connected to Fathom as profile work with an API key\./);
  expect(second.stderr).toMatch(/Next: fathom-sync run --profile work/);
}

describe('connect and list profiles', () => {
  it('each profile keeps its own credential and API URL; profiles lists both, without a secret', async () => {
    await connectBoth();
    const config = JSON.parse(fs.readFileSync(configFile(), 'utf8'));
    expect(Object.keys(config.credentials)).toEqual(['default', 'work']);
    expect(config.profiles).toMatchObject({ default: { apiUrl: defaultFake.url }, work: { apiUrl: workFake.url } });
    const stored = fs.readFileSync(path.join(env.FATHOM_SYNC_HOME!, 'config', 'credentials.json'), 'utf8');
    expect(Object.keys(JSON.parse(stored))).toEqual(['default', 'work']);

    const listed = await runCli(['profiles', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toMatch(/key-default|key-work/);
    expect(json(listed.stdout)).toMatchObject([
      { name: 'default', current: true, connected: true, auth_kind: 'api_key', credential_store: 'file', api_url: defaultFake.url, api_url_saved: true, last_success_at: null, sync_running: false },
      { name: 'work', current: false, connected: true, auth_kind: 'api_key', credential_store: 'file', api_url: workFake.url, api_url_saved: true, last_success_at: null, sync_running: false },
    ]);
    const text = await runCli(['profiles', '--profile', 'work'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}PROFILE +CONNECTED +API URL +LAST SUCCESS +LAST ERROR +BOOKMARK +SYNC RUNNING$/m);
    expect(text.stdout).toMatch(/^ {2}default +api key, file +http:\/\/127\.0\.0\.1:\d+\/external\/v1 +- +- +- +no$/m);
    expect(text.stdout).toMatch(/^\* work +api key, file +http:\/\/127\.0\.0\.1:\d+\/external\/v1 /m);

    // status is per profile, and says which.
    const work = await runCli(['status', '--json', '--profile', 'work'], env);
    expect(work.code).toBe(0);
    expect(json(work.stdout)).toMatchObject({ profile: 'work', connected: true, api_url: workFake.url });
    expect(json((await runCli(['status', '--json'], env)).stdout)).toMatchObject({ profile: 'default', api_url: defaultFake.url });
    expect((await runCli(['--profile', 'work', 'status'], env)).stdout).toMatch(/^Profile: {5}work$/m);
    expect(json((await runCli(['status', '--json'], { ...env, FATHOM_SYNC_PROFILE: 'work' })).stdout)).toMatchObject({ profile: 'work' });
  });

  it('a key the profile\'s API rejects saves nothing for that profile, and leaves the others', async () => {
    await connectBoth();
    const wrong = await connect('other', 'key-work', defaultFake.url);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/Fathom rejected this API key/);
    const config = JSON.parse(fs.readFileSync(configFile(), 'utf8'));
    expect(Object.keys(config.credentials)).toEqual(['default', 'work']);
    expect(Object.keys(config.profiles)).toEqual(['default', 'work']);
  });

  it('disconnect --profile removes that profile only; --purge refuses while another profile shares the database', async () => {
    await connectBoth();
    const purge = await runCli(['disconnect', '--profile', 'work', '--purge', '--yes'], env);
    expect(purge.code).toBe(2);
    expect(purge.stderr).toMatch(/also holds the meetings of profile default; nothing was removed/);
    const r = await runCli(['disconnect', '--profile', 'work'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Disconnected profile work: removed the credential from the file /);
    const config = JSON.parse(fs.readFileSync(configFile(), 'utf8'));
    expect(Object.keys(config.credentials)).toEqual(['default']);
    expect(Object.keys(config.profiles)).toEqual(['default']);
    expect(json((await runCli(['profiles', '--json'], env)).stdout).map((p: { name: string }) => p.name)).toEqual(['default']);
    expect((await runCli(['status'], env)).code).toBe(0);
  });

  it('an unknown or invalid profile name: exit 2, one line', async () => {
    await connectBoth();
    for (const fake of [defaultFake, workFake]) fake.resetStats();
    for (const [args, extra, message] of [
      [['run', '--profile', 'wrok'], {}, /^fathom-sync: no profile "wrok" \(known profiles: default, work\); connect it with: fathom-sync connect --profile wrok\n$/],
      [['status', '--profile', 'wrok'], {}, /^fathom-sync: no profile "wrok"/],
      [['run', '--profile', 'Work Account'], {}, /^fathom-sync: --profile "Work Account" is not a profile name: use 1-40 lower-case letters, digits, "-" or "_"\n$/],
      [['profiles'], { FATHOM_SYNC_PROFILE: '../etc' }, /^fathom-sync: FATHOM_SYNC_PROFILE "..\/etc" is not a profile name/],
      [['run', '--all-profiles', '--profile', 'work'], {}, /^fathom-sync: --all-profiles and --profile cannot be combined/],
      [['install-cron', '--dry-run', '--all-profiles', '--profile', 'work'], {}, /^fathom-sync: --all-profiles and --profile cannot be combined/],
    ] as const) {
      const r = await runCli([...args], { ...env, ...extra });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    expect(defaultFake.stats().requests + workFake.stats().requests).toBe(0);
  });

  it('--api-url must be an http(s) URL', async () => {
    const r = await runCli(['connect', '--api-key', '--api-url', 'ftp://example.com/api'], env, { input: 'key-default\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--api-url must be an http:\/\/ or https:\/\/ URL/);
    expect(fs.existsSync(configFile())).toBe(false);
  });
});

describe.skipIf(secrets.skip)(secrets.title('profiles in the OS keychain (a real Secret Service)'), () => {
  let secretService: SecretService;
  beforeAll(async () => {
    secretService = await startSecretService();
  });
  afterAll(() => secretService?.stop());

  it('each profile is its own keychain entry; disconnecting one leaves the other', async () => {
    env = { ...home.baseEnv, ...secretService.env };
    const keychain = new KeychainStore({ env: { PATH: process.env.PATH, ...secretService.env }, workerScript: path.join(REPO, 'dist', 'auth', 'keychain-worker.js') });
    await connectBoth();
    expect(fs.existsSync(path.join(env.FATHOM_SYNC_HOME!, 'config', 'credentials.json'))).toBe(false);
    expect(JSON.parse((await keychain.get('default'))!)).toMatchObject({ kind: 'api_key', apiKey: 'key-default' });
    expect(JSON.parse((await keychain.get('work'))!)).toMatchObject({ kind: 'api_key', apiKey: 'key-work' });
    const listed = await runCli(['profiles', '--json'], env);
    expect(json(listed.stdout).map((p: { name: string; credential_store: string }) => [p.name, p.credential_store])).toEqual([
      ['default', 'keychain'],
      ['work', 'keychain'],
    ]);
    expect((await runCli(['disconnect', '--profile', 'work'], env)).code).toBe(0);
    expect(await keychain.get('work')).toBeNull();
    expect(await keychain.get('default')).not.toBeNull();
    expect((await runCli(['disconnect'], env)).code).toBe(0);
    expect(await keychain.get('default')).toBeNull();
  });
});

describe('OAuth under a profile', () => {
  it("connect --profile keeps the profile's token and client secret under its own entries; status --check uses them", async () => {
    const { fake, oauth } = await startOAuthFake({ fake: { meetingCount: 3, rateLimit: false } });
    try {
      const oauthCli = { ...env, ...oauthEnv(fake, oauth), FATHOM_CLIENT_SECRET: oauth.clientSecret };
      const connectWork = async (cliEnv: NodeJS.ProcessEnv) => {
        const port = await freePort();
        oauth.setRedirectUris([`http://127.0.0.1:${port}/callback`]);
        const cli = startLiveCli(['connect', '--no-browser', '--port', String(port), '--profile', 'work'], cliEnv);
        const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
        await playBrowser(url!);
        const done = await cli.done;
        expect(done.code, done.stderr).toBe(0);
      };
      await connectWork(oauthCli);
      const stored = JSON.parse(fs.readFileSync(path.join(env.FATHOM_SYNC_HOME!, 'config', 'credentials.json'), 'utf8'));
      expect(Object.keys(stored).sort()).toEqual(['work', 'work:oauth-client-secret']);
      const config = JSON.parse(fs.readFileSync(configFile(), 'utf8'));
      expect(config).toMatchObject({ credentials: { work: { kind: 'oauth', backend: 'file' } }, profiles: { work: { apiUrl: fake.url } }, oauth: { clientId: oauth.clientId } });

      // A reconnect from a script finds the secret this profile saved.
      const { FATHOM_CLIENT_SECRET: _secret, ...withoutSecret } = oauthCli;
      await connectWork(withoutSecret);

      // Without FATHOM_API_URL: the profile's saved URL and its token.
      const { FATHOM_API_URL: _url, ...plain } = withoutSecret;
      fake.resetStats();
      const checked = await runCli(['status', '--profile', 'work', '--check', '--json'], plain);
      expect(checked.code, checked.stderr).toBe(0);
      expect(JSON.parse(checked.stdout)).toMatchObject({ profile: 'work', connected: true, auth_kind: 'oauth', api_url: fake.url, check: { ok: true } });
      expect(fake.requests.map((r) => r.auth)).toEqual(['bearer']);
      expect(json((await runCli(['profiles', '--json'], plain)).stdout)).toMatchObject([{ name: 'work', auth_kind: 'oauth', credential_store: 'file', current: false }]);
      expect((await runCli(['status'], plain)).code).toBe(4);

      const forget = await runCli(['disconnect', '--profile', 'work', '--forget-app'], plain);
      expect(forget.code).toBe(0);
      expect(forget.stdout).toMatch(/^Disconnected profile work: removed the credential and the OAuth app's client secret/);
      expect(fs.existsSync(path.join(env.FATHOM_SYNC_HOME!, 'config', 'credentials.json'))).toBe(false);
      expect(JSON.parse(fs.readFileSync(configFile(), 'utf8')).oauth).toBeUndefined();
    } finally {
      await fake.close();
    }
  });
});

describe('syncing profiles', () => {
  it('run --profile uses that profile\'s credential and URL; run without a flag is default\'s', async () => {
    await connectBoth();
    for (const fake of [defaultFake, workFake]) fake.resetStats();
    const work = await runCli(['run', '--all', '--profile', 'work', '--json'], env);
    expect(work.code, work.stderr).toBe(0);
    expect(json(work.stdout)).toMatchObject({ status: 'ok', meetings_new: 4 });
    expect(workFake.stats().requests).toBeGreaterThan(0);
    expect(workFake.requests.every((r) => r.auth === 'api_key' && r.status === 200)).toBe(true);
    expect(defaultFake.stats().requests).toBe(0);

    const plain = await runCli(['run', '--all', '--json'], env);
    expect(plain.code, plain.stderr).toBe(0);
    expect(json(plain.stdout)).toMatchObject({ status: 'ok', meetings_new: 6 });
    expect(defaultFake.stats().requests).toBeGreaterThan(0);
  });

  it('run --all-profiles syncs both into the one database, one after another; profiles then shows each last sync', async () => {
    await connectBoth();
    const r = await runCli(['run', '--all', '--all-profiles', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const result = json(r.stdout);
    expect(result).toMatchObject({ status: 'ok', exit_code: 0, database: dbPath(env) });
    expect(Object.keys(result.profiles)).toEqual(['default', 'work']);
    expect(result.profiles.default).toMatchObject({ status: 'ok', meetings_new: 6 });
    expect(result.profiles.work).toMatchObject({ status: 'ok', meetings_new: 4 });

    const expected = new Set([...meetingIds(defaultFake), ...meetingIds(workFake)]);
    const stored = query<{ recording_id: number }>(dbPath(env), 'SELECT recording_id FROM meetings').map((m) => m.recording_id);
    expect(new Set(stored)).toEqual(expected);
    expect(query(dbPath(env), 'SELECT account FROM sync_state WHERE last_success_at IS NOT NULL ORDER BY account')).toEqual([{ account: 'default' }, { account: 'work' }]);

    const listed = json((await runCli(['profiles', '--json'], env)).stdout) as { name: string; last_success_at: string | null; bookmark: string | null }[];
    for (const p of listed) {
      expect(p.last_success_at, p.name).not.toBeNull();
      expect(p.bookmark, p.name).not.toBeNull();
    }

    // Text: one summary line per profile, named.
    const text = await runCli(['run', '--all-profiles'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^default: synced \d+ meetings \(0 new, 0 updated\)/m);
    expect(text.stdout).toMatch(/^work: synced \d+ meetings \(0 new, 0 updated\)/m);
    expect(text.stderr).toMatch(/^profile default:\n[\s\S]*^profile work:$/m);
  });

  it("one profile's failure does not stop the other; the exit code is the failure's", async () => {
    await connectBoth();
    defaultFake.injectFaults({ kind: 'status', status: 401, count: 100, path: '/meetings' });
    const r = await runCli(['run', '--all', '--all-profiles', '--json'], env);
    expect(r.code).toBe(4);
    const result = json(r.stdout);
    expect(result).toMatchObject({ status: 'failed', exit_code: 4 });
    expect(result.profiles.default).toMatchObject({ status: 'failed', exit_code: 4 });
    expect(result.profiles.work).toMatchObject({ status: 'ok', meetings_new: 4 });
    expect(r.stderr).toMatch(/^fathom-sync: default: /m);
    expect(query(dbPath(env), 'SELECT COUNT(*) AS n FROM meetings')).toEqual([{ n: 4 }]);
  });
});

describe.skipIf(postgres.skip)(postgres.title('profiles on a PostgreSQL target'), () => {
  it('run --all-profiles into PostgreSQL; profiles and status read each account from there', async () => {
    const target = await freshPgDatabase('profiles');
    try {
      await connectBoth();
      const r = await runCli(['run', '--all', '--all-profiles', '--json', '--db', target.url], env);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r.stdout).profiles).toMatchObject({ default: { status: 'ok', meetings_new: 6 }, work: { status: 'ok', meetings_new: 4 } });

      const listed = json((await runCli(['profiles', '--json', '--db', target.url], env)).stdout) as Record<string, unknown>[];
      expect(listed.map((p) => p.name)).toEqual(['default', 'work']);
      for (const p of listed) expect(p).toMatchObject({ state_note: null, sync_running: false, running: null, last_success_at: expect.any(String), bookmark: expect.any(String) });

      const status = await runCli(['status', '--json', '--profile', 'work', '--db', target.url], env);
      expect(status.code, status.stderr).toBe(0);
      expect(json(status.stdout)).toMatchObject({
        profile: 'work',
        database: target.url,
        database_kind: 'postgresql',
        database_reachable: true,
        database_exists: true,
        meeting_count: 10,
        last_sync_at: expect.any(String),
        last_run: { status: 'ok' },
        last_error: null,
      });
      expect((await runCli(['status', '--db', target.url], env)).stdout).toMatch(/^Database: {4}postgres:\/\/.* \(10 meetings\)$/m);
    } finally {
      await target.drop();
    }
  });

  it('a target that cannot be reached: status and profiles say so, with the password hidden', async () => {
    await connectBoth();
    const down = 'postgres://me:hunter2@127.0.0.1:1/fathom';
    const status = await runCli(['status', '--json', '--db', down], env);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain('hunter2');
    expect(json(status.stdout)).toMatchObject({ database: 'postgres://me:***@127.0.0.1:1/fathom', database_reachable: false, database_exists: false, problem: expect.stringMatching(/^database: /) });
    const text = await runCli(['profiles', '--db', down], env);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('hunter2');
    expect(text.stdout).toMatch(/^The sync state cannot be read: postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/fathom: /m);
  });
});

describe.skipIf(crontab.skip)(crontab.title('install-cron for profiles, with the real crontab'), () => {
  let user: ThrowawayUser;
  const asUser = (args: string[]) => [...args, '--crontab-user', user.name];
  beforeEach(() => {
    user = createThrowawayUser();
  });
  afterEach(() => user.remove());

  it('--all-profiles --dry-run shows the line that runs every profile; --profile names one; never a key or a URL', async () => {
    await connectBoth();
    const dry = await runCli(asUser(['install-cron', '--all-profiles', '--dry-run']), env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/every hour at minute \d+, every connected profile one after another \(now: default, work\)/);
    const line = dry.stdout.split('\n').find((l) => /^\d+ \* \* \* \* /.test(l))!;
    expect(line).toMatch(/ run --incremental --quiet --scheduled --all-profiles >> /);
    expect(line).not.toMatch(/key-|FATHOM_API_URL|FATHOM_SYNC_PROFILE|--profile/);
    expect(user.crontab()).toBeNull();

    const planned = json((await runCli(asUser(['install-cron', '--all-profiles', '--dry-run', '--json']), { ...env, FATHOM_API_URL: workFake.url, FATHOM_SYNC_PROFILE: 'work' })).stdout);
    expect(planned).toMatchObject({ dry_run: true, all_profiles: true, profiles: ['default', 'work'] });
    expect(planned.env).toEqual({ FATHOM_SYNC_HOME: env.FATHOM_SYNC_HOME });

    const one = await runCli(asUser(['install-cron', '--profile', 'work', '--dry-run']), env);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/ run --incremental --quiet --scheduled --profile work >> /);
  });

  it('installs the --all-profiles job, checks both credentials as the job, and uninstall-cron finds it', async () => {
    await connectBoth();
    const install = await runCli(asUser(['install-cron', '--all-profiles']), env);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/✓ The scheduled job can read the Fathom credential \(profile default: found in .*; profile work: found in .*\)/);
    expect(user.crontab()).toMatch(/ run --incremental --quiet --scheduled --all-profiles >> /);
    const removed = await runCli(asUser(['uninstall-cron']), env);
    expect(removed.code).toBe(0);
    expect(user.crontab()).toBeNull();
  });

  it('the exact --all-profiles line, run like cron runs it, syncs both profiles', async () => {
    await connectBoth();
    expect((await runCli(asUser(['install-cron', '--all-profiles']), env)).code).toBe(0);
    const entry = user.crontab()!.split('\n').find((l) => /^\d/.test(l))!;
    const command = entry.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
    const child = spawn('env', ['-i', `HOME=${home.home}`, 'LOGNAME=root', 'SHELL=/bin/sh', 'PATH=/usr/bin:/bin', 'sh', '-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin!.end();
    const ran = await collect(child);
    expect(ran.code, ran.stderr).toBe(0);
    const stored = query<{ recording_id: number }>(dbPath(env), 'SELECT recording_id FROM meetings').map((m) => m.recording_id);
    expect(new Set(stored)).toEqual(new Set([...meetingIds(defaultFake), ...meetingIds(workFake)]));
    const log = fs.readFileSync(path.join(env.FATHOM_SYNC_HOME!, 'state', 'sync.log'), 'utf8');
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z default: synced 6 meetings \(6 new/m);
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z work: synced 4 meetings \(4 new/m);
  });
});
