import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/core/context.js';
import { readConfig } from '../../src/core/config.js';
import { ExitCode, InterruptedError, TemporaryError, UsageError, AuthRequiredError } from '../../src/core/errors.js';
import { assertKnownProfile, connectedProfileNames, knownProfileNames, savedApiUrl } from '../../src/auth/profile-names.js';
import { listProfiles } from '../../src/auth/profiles.js';
import { saveConnection } from '../../src/auth/save-connection.js';
import { removeStoredCredential } from '../../src/auth/disconnect.js';
import { describeCredential } from '../../src/auth/credential-status.js';
import { loadStoredCredential } from '../../src/auth/stored-provider.js';
import { FileStore } from '../../src/auth/file-store.js';
import { chooseApiUrl } from '../../src/commands/connect.js';
import { syncEachProfile, worstExitCode } from '../../src/commands/run.js';
import { formatProfiles } from '../../src/commands/profiles.js';
import { buildJobSpec, isScheduledArgs, jobTargetOf, scheduledArgs, SCHEDULED_ARGS } from '../../src/schedule/job.js';
import { checkJobCredential, installCommandFor, installSchedule, planJob } from '../../src/schedule/service.js';
import { credentialFixFor } from '../../src/schedule/cron-environment.js';
import { parseAgentPlist, renderAgentPlist } from '../../src/schedule/launchd.js';
import type { CommandResult, CommandRunner } from '../../src/schedule/command-runner.js';
import { testScheduleContext } from '../helpers/schedule-context.js';

/** Profiles: names and lookups, the credential per profile, `profiles`, run --all-profiles' loop, and the job per target. */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-profiles-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const streams = (env: NodeJS.ProcessEnv) => ({ stdout: new PassThrough(), stderr: new PassThrough(), env });
const contextFor = (options: { profile?: string; env?: NodeJS.ProcessEnv; db?: string } = {}): AppContext =>
  createAppContext(streams({ FATHOM_SYNC_HOME: path.join(dir, 'fs'), FATHOM_SYNC_TOKEN_STORE: 'file', ...options.env }), {
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.db ? { db: options.db } : {}),
  });
const writeConfig = (ctx: Pick<AppContext, 'paths'>, config: object) => {
  fs.mkdirSync(ctx.paths.configDir, { recursive: true });
  fs.writeFileSync(ctx.paths.configFile, JSON.stringify(config));
};
const record = (backend = 'file', kind = 'api_key') => ({ backend, kind, savedAt: '2026-01-01T00:00:00.000Z' });

/** Connects a profile with an API key in the file store, as `connect --api-key` saves it. */
async function connectProfile(ctx: AppContext, profile: string, apiKey: string, apiUrl: string | null, now = Date.parse('2026-02-01T00:00:00Z')) {
  await saveConnection({ paths: ctx.paths, store: FileStore.inConfigDir(ctx.paths.configDir), credential: { kind: 'api_key', apiKey }, profile, apiUrl, now: () => now });
}

describe('profile names', () => {
  it('connected profiles: those with a stored credential, default first, then by name; junk names left out', () => {
    const config = { credentials: { zeta: record(), default: record(), alpha: record('keychain'), broken: { backend: 'nowhere', kind: 'api_key', savedAt: 'x' }, 'Not A Name': record() } } as never;
    expect(connectedProfileNames(config)).toEqual(['default', 'alpha', 'zeta']);
    expect(connectedProfileNames({})).toEqual([]);
  });

  it('known profiles: credentials, profiles entries and database accounts', () => {
    const config = { credentials: { work: record() }, profiles: { old: { addedAt: 'x' } } } as never;
    expect(knownProfileNames(config, ['default', 'work', 'gone'])).toEqual(['default', 'gone', 'old', 'work']);
    expect(savedApiUrl({ profiles: { work: { apiUrl: ' http://x/v1 ' } } }, 'work')).toBe('http://x/v1');
    expect(savedApiUrl({ profiles: { work: {} } }, 'work')).toBeNull();
  });

  it('refuses an unknown profile in one line (exit 2), except default and while FATHOM_API_KEY stands in', () => {
    const ctx = contextFor({ profile: 'wrok' });
    writeConfig(ctx, { credentials: { default: record(), work: record() } });
    expect(() => assertKnownProfile(ctx)).toThrow(UsageError);
    expect(() => assertKnownProfile(ctx)).toThrow('no profile "wrok" (known profiles: default, work); connect it with: fathom-sync connect --profile wrok');
    expect(() => assertKnownProfile(contextFor({ profile: 'work' }))).not.toThrow();
    expect(() => assertKnownProfile(contextFor())).not.toThrow();
    expect(() => assertKnownProfile(contextFor({ profile: 'wrok', env: { FATHOM_API_KEY: 'k' } }))).not.toThrow();
  });

  it('an invalid profile name is a usage error wherever it comes from', () => {
    expect(() => contextFor({ profile: 'Bad Name' })).toThrow(/--profile "Bad Name" is not a profile name/);
    expect(() => contextFor({ env: { FATHOM_SYNC_PROFILE: '../x' } })).toThrow(/FATHOM_SYNC_PROFILE "..\/x" is not a profile name/);
    expect(contextFor({ env: { FATHOM_SYNC_PROFILE: 'work' } }).profile).toBe('work');
  });
});

describe('credentials per profile', () => {
  it('connect saves each profile under its own entry, with its API URL; addedAt survives a reconnect, the URL does not', async () => {
    const ctx = contextFor();
    await connectProfile(ctx, 'default', 'key-a', 'http://127.0.0.1:1/external/v1');
    await connectProfile(ctx, 'work', 'key-b', 'http://127.0.0.1:2/external/v1', Date.parse('2026-02-02T00:00:00Z'));
    const config = readConfig(ctx.paths.configFile);
    expect(config.credentials).toEqual({
      default: { backend: 'file', kind: 'api_key', savedAt: '2026-02-01T00:00:00.000Z' },
      work: { backend: 'file', kind: 'api_key', savedAt: '2026-02-02T00:00:00.000Z' },
    });
    expect(config.profiles).toEqual({
      default: { apiUrl: 'http://127.0.0.1:1/external/v1', addedAt: '2026-02-01T00:00:00.000Z' },
      work: { apiUrl: 'http://127.0.0.1:2/external/v1', addedAt: '2026-02-02T00:00:00.000Z' },
    });
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(ctx.paths.configDir, 'credentials.json'), 'utf8')) as object).sort()).toEqual(['default', 'work']);
    expect((await loadStoredCredential(ctx.paths, ctx.env, 'work'))?.credential).toEqual({ kind: 'api_key', apiKey: 'key-b' });

    // Reconnected without a URL: Fathom's own again; still added when it was first.
    await connectProfile(ctx, 'work', 'key-c', null, Date.parse('2026-03-01T00:00:00Z'));
    expect(readConfig(ctx.paths.configFile).profiles?.work).toEqual({ addedAt: '2026-02-02T00:00:00.000Z' });
  });

  it('status of a profile describes its own credential; FATHOM_API_KEY stands in for whichever profile runs', async () => {
    const ctx = contextFor();
    await connectProfile(ctx, 'work', 'key-b', null);
    expect(await describeCredential({ ...ctx, profile: 'work' })).toMatchObject({ connected: true, auth_kind: 'api_key', credential_store: 'file' });
    expect(await describeCredential({ ...ctx, profile: 'default' })).toMatchObject({ connected: false });
    expect(await describeCredential({ ...ctx, env: { ...ctx.env, FATHOM_API_KEY: 'k' }, profile: 'other' })).toMatchObject({ connected: true, credential_store: 'environment' });
  });

  it("disconnect removes the profile's credential and entry, not another's; --forget-app keeps an app another profile uses", async () => {
    const ctx = contextFor();
    await connectProfile(ctx, 'default', 'key-a', null);
    await connectProfile(ctx, 'work', 'key-b', 'http://127.0.0.1:2/external/v1');
    updateRecord(ctx, 'default', { kind: 'oauth' });
    writeOAuth(ctx);
    const outcome = await removeStoredCredential({ ...ctx, profile: 'work' }, { forgetApp: true });
    expect(outcome).toMatchObject({ wasOAuth: false, appKeptFor: ['default'] });
    expect(outcome.removed).toEqual([expect.stringMatching(/^the credential from the file /)]);
    const config = readConfig(ctx.paths.configFile);
    expect(Object.keys(config.credentials ?? {})).toEqual(['default']);
    expect(Object.keys(config.profiles ?? {})).toEqual(['default']);
    expect(config.oauth).toEqual({ clientId: 'app' });
    expect((await loadStoredCredential(ctx.paths, ctx.env, 'default'))?.credential).toEqual({ kind: 'api_key', apiKey: 'key-a' });
    // The last OAuth profile forgets the app.
    await removeStoredCredential({ ...ctx, profile: 'default' }, { forgetApp: true });
    expect(readConfig(ctx.paths.configFile).oauth).toBeUndefined();
  });
});

function updateRecord(ctx: AppContext, profile: string, change: object): void {
  const config = readConfig(ctx.paths.configFile);
  Object.assign(config.credentials![profile]!, change);
  writeConfig(ctx, config);
}

function writeOAuth(ctx: AppContext): void {
  writeConfig(ctx, { ...readConfig(ctx.paths.configFile), oauth: { clientId: 'app' } });
}

describe('listProfiles', () => {
  it('lists nothing before anything is connected', async () => {
    expect(await listProfiles(contextFor())).toEqual([]);
  });

  it('each profile with its credential, URL, state from the database and its own run lock', async () => {
    const ctx = contextFor({ profile: 'work' });
    await connectProfile(ctx, 'default', 'key-a', null);
    await connectProfile(ctx, 'work', 'key-b', 'http://127.0.0.1:2/external/v1');
    // A database with state for default and for a profile disconnected since.
    const { openDatabase } = await import('../../src/db/database.js');
    const { recordError, recordSuccess, advanceBookmark } = await import('../../src/db/sync-state.js');
    const db = await openDatabase(ctx.paths.database, { ownDirectory: true });
    recordSuccess(db, 'default', '2026-02-03T04:05:06.000Z', 7);
    advanceBookmark(db, 'default', '2026-02-01T00:00:00.000Z');
    recordError(db, 'gone', 'Fathom said no', '2026-01-05T00:00:00.000Z', 3);
    db.close();
    // A sync of work is running (this process holds its lock).
    const workLock = path.join(ctx.paths.stateDir, 'sync.work.lock');
    fs.mkdirSync(ctx.paths.stateDir, { recursive: true });
    fs.writeFileSync(workLock, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: '2026-02-03T05:00:00.000Z' }));
    expect(ctx.paths.lockFile).toBe(workLock);

    const profiles = await listProfiles(ctx);
    expect(profiles.map((p) => p.name)).toEqual(['default', 'gone', 'work']);
    const [def, gone, work] = profiles;
    expect(def).toMatchObject({
      current: false,
      connected: true,
      auth_kind: 'api_key',
      credential_store: 'file',
      api_url: 'https://api.fathom.ai/external/v1',
      api_url_saved: false,
      last_success_at: '2026-02-03T04:05:06.000Z',
      bookmark: '2026-02-01T00:00:00.000Z',
      last_error: null,
      sync_running: false,
      running: null,
    });
    expect(gone).toMatchObject({ connected: false, last_error: 'Fathom said no', last_error_at: '2026-01-05T00:00:00.000Z', added_at: null });
    expect(work).toMatchObject({
      current: true,
      connected: true,
      api_url: 'http://127.0.0.1:2/external/v1',
      api_url_saved: true,
      added_at: '2026-02-01T00:00:00.000Z',
      last_success_at: null,
      sync_running: true,
      running: `pid ${process.pid} since 2026-02-03T05:00:00.000Z`,
    });
    // Never a secret, in JSON or in the table.
    expect(JSON.stringify(profiles)).not.toMatch(/key-a|key-b/);
    const table = formatProfiles(profiles);
    expect(table).not.toMatch(/key-a|key-b/);
    expect(table.split('\n')[0]).toMatch(/^ {2}PROFILE +CONNECTED +API URL +LAST SUCCESS +LAST ERROR +BOOKMARK +SYNC RUNNING$/);
    expect(table).toMatch(/^ {2}default +api key, file +Fathom \(default\) +2026-02-03 04:05:06Z +- +2026-02-01 00:00:00Z +no$/m);
    expect(table).toMatch(/^\* work +api key, file +http:\/\/127\.0\.0\.1:2\/external\/v1 .* yes, pid \d+ since 2026-02-03T05:00:00.000Z$/m);
  });

  it('FATHOM_API_KEY counts for the profile the command is for only', async () => {
    const ctx = contextFor({ env: { FATHOM_API_KEY: 'env-key' } });
    await connectProfile(ctx, 'work', 'key-b', null);
    const profiles = await listProfiles(ctx);
    expect(profiles.map((p) => [p.name, p.credential_store])).toEqual([
      ['default', 'environment'],
      ['work', 'file'],
    ]);
  });

  it('a PostgreSQL database that cannot be reached: the state columns say so, and whether a sync runs is unknown', async () => {
    const ctx = contextFor({ db: 'postgres://me:hunter2@127.0.0.1:1/fathom' });
    await connectProfile(ctx, 'default', 'key-a', null);
    const [def] = await listProfiles(ctx);
    expect(def).toMatchObject({ name: 'default', connected: true, sync_running: null, running: null, last_success_at: null });
    expect(def!.state_note).toMatch(/^postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/fathom: /);
    expect(JSON.stringify(def)).not.toContain('hunter2');
    const table = formatProfiles([def!]);
    expect(table).toMatch(/^\* default +api key, file +Fathom \(default\) +\(see below\) +\?$/m);
    expect(table).toMatch(/^The sync state cannot be read: postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/fathom: \S/m);
  });
});

describe('connect --api-url', () => {
  it('the flag, else FATHOM_API_URL, else none; only http(s), never with a password', () => {
    expect(chooseApiUrl('https://eu.example/api', { FATHOM_API_URL: 'http://x/v1' })).toBe('https://eu.example/api');
    expect(chooseApiUrl(undefined, { FATHOM_API_URL: ' http://127.0.0.1:9/external/v1 ' })).toBe('http://127.0.0.1:9/external/v1');
    expect(chooseApiUrl(undefined, {})).toBeNull();
    expect(() => chooseApiUrl('', {})).toThrow(/--api-url is empty/);
    expect(() => chooseApiUrl('ftp://x', {})).toThrow(/http:\/\/ or https:\/\//);
    expect(() => chooseApiUrl('not a url', {})).toThrow(/is not a URL/);
    expect(() => chooseApiUrl(undefined, { FATHOM_API_URL: 'nope' })).toThrow(/FATHOM_API_URL "nope" is not a URL/);
    expect(() => chooseApiUrl('https://me:secret@x/api', {})).toThrow(UsageError);
  });
});

describe('run --all-profiles: one after another', () => {
  const never = new AbortController().signal;

  it('syncs every profile in order; a failure does not stop the next', async () => {
    const order: string[] = [];
    const runs = await syncEachProfile(
      ['default', 'work', 'home'],
      async (profile) => {
        order.push(profile);
        if (profile === 'work') throw new AuthRequiredError('rejected');
        return `${profile} done`;
      },
      never,
    );
    expect(order).toEqual(['default', 'work', 'home']);
    expect(runs.map((r) => [r.profile, r.status, r.exitCode])).toEqual([
      ['default', 'ok', 0],
      ['work', 'failed', 4],
      ['home', 'ok', 0],
    ]);
  });

  it('never two at once', async () => {
    let running = 0;
    let most = 0;
    await syncEachProfile(
      ['a', 'b', 'c'],
      async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
      },
      never,
    );
    expect(most).toBe(1);
  });

  it('a signal stops the runs: the profile it stopped is interrupted, the rest not run', async () => {
    const controller = new AbortController();
    const runs = await syncEachProfile(
      ['a', 'b', 'c'],
      async (profile) => {
        if (profile === 'b') {
          controller.abort();
          throw new InterruptedError('SIGINT');
        }
      },
      controller.signal,
    );
    expect(runs.map((r) => [r.profile, r.status, r.exitCode])).toEqual([
      ['a', 'ok', 0],
      ['b', 'interrupted', ExitCode.interrupted],
      ['c', 'not_run', null],
    ]);
    expect(worstExitCode(runs.map((r) => r.exitCode))).toBe(130);
  });

  it('exit code: 0 when all synced, else the most serious: a signal, then the lowest code', () => {
    expect(worstExitCode([0, 0])).toBe(0);
    expect(worstExitCode([0, 5, 4, 6])).toBe(4);
    expect(worstExitCode([6, 1, 5])).toBe(1);
    expect(worstExitCode([1, 143, null])).toBe(143);
    expect(worstExitCode([new TemporaryError('x').exitCode, 0])).toBe(5);
  });
});

describe('the hourly job per target', () => {
  const base = { nodePath: '/usr/bin/node', cliPath: '/opt/fs/bin/fathom-sync.js', logFile: '/h/state/sync.log', minute: 5 };

  it('arguments: default as before, --profile NAME, or --all-profiles; read back to their target', () => {
    expect(scheduledArgs()).toEqual(SCHEDULED_ARGS);
    expect(scheduledArgs({ profile: 'default' })).toEqual(SCHEDULED_ARGS);
    expect(scheduledArgs({ profile: 'work' })).toEqual([...SCHEDULED_ARGS, '--profile', 'work']);
    expect(scheduledArgs({ allProfiles: true })).toEqual(['run', '--incremental', '--quiet', '--scheduled', '--all-profiles']);
    expect(jobTargetOf(scheduledArgs({ profile: 'work' }))).toEqual({ profile: 'work' });
    expect(jobTargetOf(scheduledArgs({ allProfiles: true }))).toEqual({ allProfiles: true });
    expect(jobTargetOf(SCHEDULED_ARGS)).toEqual({ profile: 'default' });
    expect(isScheduledArgs(['run', '--all'])).toBe(false);
    expect(isScheduledArgs([...SCHEDULED_ARGS, '--profile', 'Bad Name'])).toBe(false);
    expect(installCommandFor({ allProfiles: true })).toBe('fathom-sync install-cron --all-profiles');
    expect(installCommandFor({ profile: 'work' })).toBe('fathom-sync install-cron --profile work');
    expect(installCommandFor({ profile: 'default' })).toBe('fathom-sync install-cron');
  });

  it('carries FATHOM_SYNC_PROFILE for one profile; for every profile neither it nor FATHOM_API_URL (each has its own), never a key', () => {
    const env = { FATHOM_SYNC_HOME: '/h', FATHOM_SYNC_PROFILE: 'work', FATHOM_API_URL: 'http://127.0.0.1:9/v1', FATHOM_API_KEY: 'secret' };
    expect(buildJobSpec({ ...base, env, target: { profile: 'work' } })).toMatchObject({
      args: [...SCHEDULED_ARGS, '--profile', 'work'],
      env: { FATHOM_SYNC_HOME: '/h', FATHOM_API_URL: 'http://127.0.0.1:9/v1', FATHOM_SYNC_PROFILE: 'work' },
    });
    const all = buildJobSpec({ ...base, env, target: { allProfiles: true } });
    expect(all.env).toEqual({ FATHOM_SYNC_HOME: '/h' });
    expect(JSON.stringify(all)).not.toContain('secret');
  });

  it('carries a PostgreSQL FATHOM_SYNC_DB as given, and refuses one with a password', () => {
    expect(buildJobSpec({ ...base, env: { FATHOM_SYNC_DB: 'postgres://sync@db.example/fathom' } }).env).toEqual({ FATHOM_SYNC_DB: 'postgres://sync@db.example/fathom' });
    expect(buildJobSpec({ ...base, env: { FATHOM_SYNC_DB: 'rel/x.db' } }).env.FATHOM_SYNC_DB).toBe(path.resolve('rel/x.db'));
    expect(() => buildJobSpec({ ...base, env: { FATHOM_SYNC_DB: 'postgresql://sync:pw@db.example/fathom' } })).toThrow(/FATHOM_SYNC_DB carries a password/);
  });

  it('the LaunchAgent runs the same arguments, and reads back to its target', () => {
    const work = parseAgentPlist(renderAgentPlist(buildJobSpec({ ...base, env: {}, target: { profile: 'work' } })));
    expect(work.programArguments).toEqual([base.nodePath, base.cliPath, ...SCHEDULED_ARGS, '--profile', 'work']);
    expect(jobTargetOf(work.programArguments.slice(2))).toEqual({ profile: 'work' });
    const all = parseAgentPlist(renderAgentPlist(buildJobSpec({ ...base, env: {}, target: { allProfiles: true } })));
    expect(all.programArguments.slice(2)).toEqual([...SCHEDULED_ARGS, '--all-profiles']);
  });

  describe('installing (fake crontab and status)', () => {
    const setup = (statusFor: (profile: string) => CommandResult) => {
      let crontab: string | null = null;
      const statusCalls: string[][] = [];
      const runner: CommandRunner = {
        run: async (command, args, options) => {
          if (command === 'crontab') {
            if (args.includes('-l')) return crontab === null ? { code: 1, stdout: '', stderr: 'no crontab for ann' } : { code: 0, stdout: crontab, stderr: '' };
            crontab = options?.input ?? null;
            return { code: 0, stdout: '', stderr: '' };
          }
          statusCalls.push([...args]);
          const at = args.indexOf('--profile');
          return statusFor(at === -1 ? 'default' : args[at + 1]!);
        },
      };
      const ctx = testScheduleContext(dir, runner, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' });
      writeConfig(ctx, { credentials: { default: record('file'), work: record('keychain') } });
      return { ctx, statusCalls, crontab: () => crontab };
    };
    const readable = (where: string): CommandResult => ({ code: 0, stdout: JSON.stringify({ connected: true, credential_location: where }), stderr: '' });

    it('--all-profiles: the line runs every profile, carries the bus (one keychain profile is enough), and each credential is tried as the job', async () => {
      const { ctx, statusCalls, crontab } = setup((profile) => readable(`${profile}'s store`));
      const outcome = await installSchedule(ctx, { dryRun: false, host: 'box', target: { allProfiles: true } });
      expect(outcome.profiles).toEqual(['default', 'work']);
      const line = crontab()!.split('\n').find((l) => /^\d/.test(l))!;
      expect(line).toMatch(/DBUS_SESSION_BUS_ADDRESS=unix:path=\/run\/user\/1000\/bus .* run --incremental --quiet --scheduled --all-profiles >> /);
      expect(statusCalls).toEqual([
        ['/opt/fs/bin/fathom-sync.js', 'status', '--json'],
        ['/opt/fs/bin/fathom-sync.js', 'status', '--json', '--profile', 'work'],
      ]);
      expect(outcome.credential).toEqual({ reachability: { readable: true, detail: "profile default: found in default's store; profile work: found in work's store" } });
    });

    it('names the profile the job cannot read, and the fix connects that profile and reinstalls the same job', async () => {
      const { ctx } = setup((profile) => (profile === 'work' ? { code: 4, stdout: '{"connected":false,"problem":"no answer within 5000 ms"}', stderr: '' } : readable('x')));
      const job = planJob(ctx, readConfig(ctx.paths.configFile), { host: 'box', target: { allProfiles: true } });
      const check = await checkJobCredential(ctx, job, 'crontab', readConfig(ctx.paths.configFile));
      expect(check.reachability).toEqual({ readable: false, reason: 'profile work: no answer within 5000 ms' });
      expect(check.fix?.commands).toEqual(['loginctl enable-linger "$USER" && fathom-sync install-cron --all-profiles', 'FATHOM_SYNC_TOKEN_STORE=file fathom-sync connect --profile work']);
    });

    it('--profile: only that profile is tried; no profile connected: says so', async () => {
      const { ctx, statusCalls } = setup(() => readable('x'));
      const one = await installSchedule(ctx, { dryRun: false, host: 'box', target: { profile: 'work' } });
      expect(one.job.args).toEqual([...SCHEDULED_ARGS, '--profile', 'work']);
      expect(statusCalls).toEqual([['/opt/fs/bin/fathom-sync.js', 'status', '--json', '--profile', 'work']]);
      writeConfig(ctx, {});
      const none = await checkJobCredential(ctx, planJob(ctx, {}, { host: 'box', target: { allProfiles: true } }), 'crontab', {});
      expect(none).toEqual({ reachability: { readable: false, reason: 'no profile is connected' }, fix: credentialFixFor(undefined, 'linux') });
    });
  });
});
