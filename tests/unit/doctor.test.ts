import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChecks, countStatuses } from '../../src/doctor/run-checks.js';
import { renderJson, renderText, summaryLine } from '../../src/doctor/render.js';
import { DOCTOR_CHECKS } from '../../src/doctor/registry.js';
import type { CheckResult, DoctorCheck, DoctorContext, CredentialFacts, ScheduleFacts } from '../../src/doctor/types.js';
import { nodeCheck } from '../../src/doctor/checks/node.js';
import { directoriesCheck, probeDirectory } from '../../src/doctor/checks/directories.js';
import { databaseCheck } from '../../src/doctor/checks/database.js';
import { credentialCheck, tokenExpiryCheck } from '../../src/doctor/checks/credential.js';
import { apiCheck } from '../../src/doctor/checks/api.js';
import { scheduleCheck } from '../../src/doctor/checks/schedule.js';
import { lastRunCheck } from '../../src/doctor/checks/last-run.js';
import { lockCheck } from '../../src/doctor/checks/lock.js';
import { configCheck } from '../../src/doctor/checks/config.js';
import { cronCredentialCheck } from '../../src/doctor/checks/cron-credential.js';
import { resolvePaths } from '../../src/core/paths.js';
import { openDatabase } from '../../src/db/database.js';
import { SCHEMA_VERSION } from '../../src/db/migrate.js';
import { SyncStore } from '../../src/db/sync-store.js';
import type { LockSystem } from '../../src/core/lock-file.js';
import type { CommandRunner } from '../../src/schedule/command-runner.js';
import type { InstalledJob } from '../../src/schedule/scheduler.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

/** A deferred promise, to finish checks in an order the test chooses. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-doctor-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const lockSystem: LockSystem = { pid: 100, hostname: () => 'here', isProcessAlive: (pid) => pid === 100 };

function context(overrides: Partial<DoctorContext> & { facts?: CredentialFacts; job?: InstalledJob | null; runner?: CommandRunner } = {}): DoctorContext {
  const env = { FATHOM_SYNC_HOME: path.join(home, 'fs') };
  const paths = resolvePaths({}, { env, platform: 'linux', homedir: home });
  const runner: CommandRunner = overrides.runner ?? { run: async () => ({ code: 0, stdout: 'v20.11.0\n', stderr: '' }) };
  return {
    paths,
    env,
    profile: 'default',
    postgres: () => null,
    platform: 'linux',
    nodeVersion: 'v20.11.0',
    nodePath: '/usr/bin/node',
    clock: { now: () => NOW, sleep: async () => {} },
    runner,
    lockSystem,
    schedule: {
      paths,
      env,
      platform: 'linux',
      runner,
      nodePath: '/usr/bin/node',
      cliPath: '/opt/fs/bin/fathom-sync.js',
      user: { name: 'ann', home, uid: 1000 },
      clock: { now: () => NOW, sleep: async () => {} },
    },
    config: {},
    apiUrl: 'http://127.0.0.1:9/external/v1',
    credential: async () => overrides.facts ?? { found: true, kind: 'api_key', source: 'the file x' },
    probeApi: async () => ({ outcome: 'accepted' }),
    installedJob: async (): Promise<ScheduleFacts> => ({ job: overrides.job === undefined ? null : overrides.job }),
    fileExists: (f) => fs.existsSync(f),
    isExecutable: (f) => fs.existsSync(f),
    ...overrides,
  };
}

const check = (id: string, result: CheckResult | (() => Promise<CheckResult>)): DoctorCheck => ({
  id,
  title: id,
  run: typeof result === 'function' ? result : async () => result,
});

describe('runChecks', () => {
  it('runs checks at once and reports them in registry order, whatever order they finish in', async () => {
    const first = deferred<CheckResult>();
    const started: string[] = [];
    const checks = [
      check('a', () => (started.push('a'), first.promise)),
      check('b', async () => (started.push('b'), { status: 'ok', summary: 'b done' })),
    ];
    const done = runChecks(checks, context());
    // b finished long ago, and a has not: both were started without waiting for each other.
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    first.resolve({ status: 'warning', summary: 'a done' });
    const reports = await done;
    expect(reports.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('turns a throwing check and one that overruns its timeout into failures', async () => {
    const reports = await runChecks(
      [
        check('throws', async () => {
          throw new Error('boom');
        }),
        { id: 'hangs', title: 'hangs', timeoutMs: 1, run: () => new Promise<CheckResult>(() => {}) },
      ],
      context(),
    );
    expect(reports[0]).toMatchObject({ status: 'failure', summary: 'the check itself failed: boom' });
    expect(reports[1]).toMatchObject({ status: 'failure', summary: expect.stringMatching(/did not finish/) });
  });
});

describe('rendering', () => {
  const reports = [
    { id: 'n', title: 'Node.js', status: 'ok' as const, summary: 'v20', details: ['hidden unless verbose'] },
    { id: 's', title: 'Schedule', status: 'warning' as const, summary: 'not installed', fix: { text: 'Install it:', commands: ['fathom-sync install-cron'] } },
    { id: 'd', title: 'Database', status: 'failure' as const, summary: 'broken', details: ['page 3'], fix: { text: 'Move it:', commands: ['mv a b', 'fathom-sync run --all'] } },
    { id: 'k', title: 'Token expiry', status: 'skipped' as const, summary: 'no credential' },
  ];

  it('prints one line per check, details and fix under problems, and a summary', () => {
    expect(renderText(reports, { verbose: false })).toBe(
      [
        '✓ Node.js       v20',
        '! Schedule      not installed',
        '    fix: Install it:',
        '      $ fathom-sync install-cron',
        '✗ Database      broken',
        '    page 3',
        '    fix: Move it:',
        '      $ mv a b',
        '      $ fathom-sync run --all',
        '- Token expiry  no credential',
        '',
        'Problems found: 1 ok, 1 warning, 1 failure, 1 skipped.',
      ].join('\n'),
    );
    expect(renderText(reports, { verbose: true })).toContain('    hidden unless verbose');
  });

  it('summarizes', () => {
    expect(summaryLine([reports[0]!])).toBe('Everything looks good: 1 ok, 0 warnings, 0 failures.');
    expect(summaryLine(reports.slice(0, 2))).toBe('Working, with warnings: 1 ok, 1 warning, 0 failures.');
    expect(countStatuses(reports)).toEqual({ ok: 1, warning: 1, failure: 1, skipped: 1 });
  });

  it('has a JSON form', () => {
    const json = renderJson(reports) as { ok: boolean; checks: { id: string; fix: unknown; details: string[] }[] };
    expect(json.ok).toBe(false);
    expect(json.checks.map((c) => c.id)).toEqual(['n', 's', 'd', 'k']);
    expect(json.checks[3]).toMatchObject({ fix: null, details: [] });
  });

  it('the registry has unique ids in a fixed order', () => {
    const ids = DOCTOR_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe('node');
    expect(ids.at(-1)).toBe('lock');
  });
});

describe('checks', () => {
  it('node: fails below 20', async () => {
    expect((await nodeCheck.run(context({ nodeVersion: 'v18.19.0' }), new AbortController().signal)).status).toBe('failure');
    expect((await nodeCheck.run(context(), new AbortController().signal)).status).toBe('ok');
  });

  it('directories: probes by writing, without creating; a file in the way is a failure with a fix', async () => {
    const ctx = context();
    expect(await directoriesCheck.run(ctx, new AbortController().signal)).toMatchObject({ status: 'ok' });
    expect(fs.existsSync(ctx.paths.stateDir)).toBe(false);
    fs.mkdirSync(path.join(home, 'fs'), { recursive: true });
    fs.writeFileSync(ctx.paths.stateDir, 'not a directory');
    const result = await directoriesCheck.run(ctx, new AbortController().signal);
    expect(result).toMatchObject({ status: 'failure', summary: expect.stringContaining('state directory') });
    expect(result.fix?.commands[0]).toContain(`mv ${ctx.paths.stateDir}`);
    expect(probeDirectory(path.join(ctx.paths.stateDir, 'x'))).toMatchObject({ writable: false, code: 'ENOTDIR' });
  });

  it('config: an unreadable config.json fails with a fix', async () => {
    const result = await configCheck.run(context({ configError: 'config.json is not valid JSON' }), new AbortController().signal);
    expect(result).toMatchObject({ status: 'failure', fix: { commands: [expect.stringMatching(/^mv /), 'fathom-sync connect'] } });
  });

  it('config: lists the recorders outside the organisation; one that is not an address warns, with the command that removes it', async () => {
    const none = await configCheck.run(context(), new AbortController().signal);
    expect(none).toMatchObject({ status: 'ok', details: [expect.stringMatching(/recorders outside your organisation: none \(fathom-sync config add-recorder EMAIL/)] });
    const some = await configCheck.run(context({ config: { recorders: ['jane@acme.com', 'k.sato@sakura-tech.jp'] } }), new AbortController().signal);
    expect(some).toMatchObject({ status: 'ok', details: ['recorders outside your organisation, whose shared calls every run also asks for: jane@acme.com, k.sato@sakura-tech.jp'] });
    const bad = await configCheck.run(context({ config: { recorders: ['jane@acme.com', 'jane at acme'] } }), new AbortController().signal);
    expect(bad).toMatchObject({ status: 'warning', summary: expect.stringContaining('a recorder that is not an email address'), fix: { commands: ["fathom-sync config remove-recorder 'jane at acme'"] } });
  });

  it('database: absent is a warning, garbage and damage are failures with a fix, a good one is ok', async () => {
    const ctx = context();
    expect((await databaseCheck.run(ctx, new AbortController().signal)).status).toBe('warning');
    const db = await openDatabase(ctx.paths.database);
    db.close();
    expect(await databaseCheck.run(ctx, new AbortController().signal)).toMatchObject({ status: 'ok', summary: `0 meetings, schema v${SCHEMA_VERSION}, integrity ok` });
    fs.writeFileSync(ctx.paths.database, 'hello, not a database at all');
    for (const f of ['-wal', '-shm']) fs.rmSync(ctx.paths.database + f, { force: true });
    const result = await databaseCheck.run(ctx, new AbortController().signal);
    expect(result.status).toBe('failure');
    expect(result.summary).toMatch(/not a SQLite database/);
    expect(result.fix?.commands[0]).toMatch(/^mv .*\.broken' && fathom-sync run --all$|^mv .*\.broken && fathom-sync run --all$/);
  });

  it('credential: missing fails with connect; unreadable store fails with why', async () => {
    expect(await credentialCheck.run(context({ facts: { found: false } }), new AbortController().signal)).toMatchObject({ status: 'failure', fix: { commands: ['fathom-sync connect'] } });
    expect(await credentialCheck.run(context({ facts: { found: false, problem: 'no answer within 5000 ms', backend: 'keychain' } }), new AbortController().signal)).toMatchObject({
      status: 'failure',
      summary: expect.stringContaining('no answer within 5000 ms'),
    });
    expect(await credentialCheck.run(context(), new AbortController().signal)).toMatchObject({ status: 'ok', summary: 'API key in the file x' });
  });

  it('token expiry: API keys are fine; an OAuth token that cannot be renewed fails once expired', async () => {
    const signal = new AbortController().signal;
    expect((await tokenExpiryCheck.run(context(), signal)).status).toBe('ok');
    const oauth = (f: Partial<CredentialFacts>) => context({ facts: { found: true, kind: 'oauth', source: 'keychain', ...f } });
    expect((await tokenExpiryCheck.run(oauth({ expiresAt: NOW - 1000, refreshable: true }), signal)).status).toBe('ok');
    expect((await tokenExpiryCheck.run(oauth({ expiresAt: NOW - 1000, refreshable: false }), signal)).status).toBe('failure');
    expect((await tokenExpiryCheck.run(oauth({ expiresAt: NOW + 3600_000, refreshable: false }), signal)).status).toBe('warning');
    expect((await tokenExpiryCheck.run(context({ facts: { found: false } }), signal)).status).toBe('skipped');
  });

  it('api: tells a rejected token apart from an unreachable API', async () => {
    const signal = new AbortController().signal;
    const rejected = await apiCheck.run(context({ probeApi: async () => ({ outcome: 'rejected', message: '401' }) }), signal);
    expect(rejected).toMatchObject({ status: 'failure', summary: expect.stringMatching(/rejected/), fix: { commands: ['fathom-sync connect'] } });
    const unreachable = await apiCheck.run(context({ probeApi: async () => ({ outcome: 'unreachable', message: 'ECONNREFUSED' }) }), signal);
    expect(unreachable).toMatchObject({ status: 'failure', summary: expect.stringMatching(/cannot reach .*ECONNREFUSED/), details: [expect.stringMatching(/not a credential problem/)] });
    expect((await apiCheck.run(context({ facts: { found: false } }), signal)).status).toBe('skipped');
  });

  const installed = (overrides: Partial<InstalledJob> = {}): InstalledJob => ({
    kind: 'crontab',
    target: 'your crontab',
    minute: '17',
    nodePath: process.execPath,
    cliPath: __filename,
    args: ['run', '--incremental', '--quiet', '--scheduled'],
    env: {},
    raw: '17 * * * * ...',
    ...overrides,
  });

  it('schedule: warns when not installed, fails when the node binary is gone or too old', async () => {
    const signal = new AbortController().signal;
    expect(await scheduleCheck.run(context(), signal)).toMatchObject({ status: 'warning', fix: { commands: ['fathom-sync install-cron'] } });
    expect(await scheduleCheck.run(context({ job: installed() }), signal)).toMatchObject({ status: 'ok', summary: 'installed (crontab, minute 17)' });
    const gone = await scheduleCheck.run(context({ job: installed({ nodePath: '/nonexistent/node' }) }), signal);
    expect(gone).toMatchObject({ status: 'failure', summary: expect.stringMatching(/\/nonexistent\/node, which no longer exists/), fix: { commands: ['fathom-sync install-cron'] } });
    const old = await scheduleCheck.run(context({ job: installed(), runner: { run: async () => ({ code: 0, stdout: 'v16.20.0\n', stderr: '' }) } }), signal);
    expect(old).toMatchObject({ status: 'failure', summary: expect.stringMatching(/v16.20.0, older than 20/) });
    const recordedOnly = context({ config: { schedule: { kind: 'crontab', minute: 1, nodePath: 'x', cliPath: 'y', installedAt: '2026-01-01T00:00:00Z' } } });
    expect((await scheduleCheck.run(recordedOnly, signal)).status).toBe('failure');
    expect((await scheduleCheck.run(context({ installedJob: async () => ({ error: 'crontab missing' }) }), signal)).status).toBe('warning');
  });

  it('schedule (launchd): not loaded fails, a failed last run warns', async () => {
    const signal = new AbortController().signal;
    expect((await scheduleCheck.run(context({ job: installed({ kind: 'launchd', loaded: false }) }), signal)).status).toBe('failure');
    expect((await scheduleCheck.run(context({ job: installed({ kind: 'launchd', loaded: true, lastExitCode: 4 }) }), signal)).status).toBe('warning');
  });

  it('last run: none warns, failed fails, an old success warns only with a schedule', async () => {
    const signal = new AbortController().signal;
    const ctx = context();
    expect((await lastRunCheck.run(ctx, signal)).status).toBe('warning');
    const db = await openDatabase(ctx.paths.database);
    const store = new SyncStore(db);
    const counters = { pages: 0, requests: 0, retries: 0, rateLimited: 0, meetingsSeen: 0, meetingsNew: 2, meetingsUpdated: 0, itemsSkipped: 0 };
    const at = (ms: number) => new Date(ms).toISOString();
    const ok = store.startRun({ trigger: 'schedule', mode: 'incremental', windowStart: null, windowEnd: null, filters: {}, pid: 100 }, at(NOW - 3 * 3600_000));
    store.finishRun(ok, { status: 'ok', counters, now: at(NOW - 3 * 3600_000 + 2000) });
    db.close();
    expect(await lastRunCheck.run(ctx, signal)).toMatchObject({ status: 'ok', summary: expect.stringMatching(/succeeded \(2 new\)/) });
    const scheduled = context({ config: { schedule: { kind: 'crontab', minute: 1, nodePath: 'x', cliPath: 'y', installedAt: at(NOW) } } });
    expect(await lastRunCheck.run(scheduled, signal)).toMatchObject({ status: 'warning', summary: expect.stringMatching(/last success 3.0 h ago/), fix: { commands: expect.arrayContaining(['fathom-sync log']) } });

    const db2 = await openDatabase(ctx.paths.database);
    const store2 = new SyncStore(db2);
    const bad = store2.startRun({ trigger: 'schedule', mode: 'incremental', windowStart: null, windowEnd: null, filters: {}, pid: 100 }, at(NOW - 60_000));
    store2.finishRun(bad, { status: 'failed', counters, error: 'Fathom rejected the credential (401)', now: at(NOW - 50_000) });
    db2.close();
    expect(await lastRunCheck.run(ctx, signal)).toMatchObject({ status: 'failure', summary: expect.stringMatching(/failed: Fathom rejected/) });

    // A run skipped because another sync held the lock says nothing about the job's health.
    const db3 = await openDatabase(ctx.paths.database);
    new SyncStore(db3).recordRefusedRun({ trigger: 'schedule', mode: 'incremental', status: 'skipped', error: 'sync already running (pid 7 since x)', now: at(NOW - 1000), pid: 100 });
    db3.close();
    expect(await lastRunCheck.run(ctx, signal)).toMatchObject({ status: 'failure', summary: expect.stringMatching(/^run #2 .*failed: Fathom rejected/) });

    // A failed slice of an old backfill after a good hourly run is a warning, not a failure.
    const db4 = await openDatabase(ctx.paths.database);
    const store4 = new SyncStore(db4);
    const resume = store4.startRun({ trigger: 'schedule', mode: 'resume', windowStart: null, windowEnd: null, filters: {}, pid: 100 }, at(NOW - 30_000));
    store4.finishRun(resume, { status: 'failed', counters, error: 'giving up after 5 retries: HTTP 503', now: at(NOW - 20_000) });
    db4.close();
    expect(await lastRunCheck.run(ctx, signal)).toMatchObject({ status: 'warning', summary: expect.stringMatching(/^continuing an unfinished backfill failed in run #4 .*HTTP 503/) });
  });

  it('lock: free and held are ok, a stale lock warns with the rm command', async () => {
    const signal = new AbortController().signal;
    const ctx = context();
    expect((await lockCheck.run(ctx, signal)).status).toBe('ok');
    fs.mkdirSync(ctx.paths.stateDir, { recursive: true });
    fs.writeFileSync(ctx.paths.lockFile, JSON.stringify({ pid: 100, host: 'here', startedAt: new Date(NOW - 60_000).toISOString() }));
    expect(await lockCheck.run(ctx, signal)).toMatchObject({ status: 'ok', summary: expect.stringMatching(/running now \(pid 100/) });
    fs.writeFileSync(ctx.paths.lockFile, JSON.stringify({ pid: 4242, host: 'here', startedAt: new Date(NOW - 60_000).toISOString() }));
    expect(await lockCheck.run(ctx, signal)).toMatchObject({ status: 'warning', summary: expect.stringMatching(/stale lock left by pid 4242/), fix: { commands: [`rm ${ctx.paths.lockFile}`] } });
    fs.writeFileSync(ctx.paths.lockFile, JSON.stringify({ pid: 100, host: 'here', startedAt: new Date(NOW - 7 * 3600_000).toISOString() }));
    expect(await lockCheck.run(ctx, signal)).toMatchObject({ status: 'warning', fix: { commands: ['ps -o pid,etime,args -p 100', 'kill 100'] } });
  });

  it('credential for the job: runs status --json in exactly the job environment', async () => {
    const calls: { command: string; args: readonly string[]; env?: NodeJS.ProcessEnv }[] = [];
    const answer = { code: 4, stdout: '{"connected":false,"problem":null}', stderr: '' };
    const runner: CommandRunner = { run: async (command, args, options) => (calls.push({ command, args, ...(options?.env ? { env: options.env } : {}) }), answer) };
    const ctx = context({ runner, facts: { found: true, kind: 'api_key', source: 'environment (FATHOM_API_KEY)' } });
    const result = await cronCredentialCheck.run({ ...ctx, schedule: { ...ctx.schedule, runner } }, new AbortController().signal);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).toEqual(['/opt/fs/bin/fathom-sync.js', 'status', '--json']);
    expect(calls[0]!.env).toEqual({ HOME: home, LOGNAME: 'ann', USER: 'ann', SHELL: '/bin/sh', PATH: '/usr/bin:/bin', FATHOM_SYNC_HOME: path.join(home, 'fs') });
    // No schedule yet: a warning about the future, with the fix for an env-only credential.
    expect(result).toMatchObject({ status: 'warning', summary: expect.stringContaining('no stored credential'), fix: { commands: ['fathom-sync connect'] } });
  });
});
