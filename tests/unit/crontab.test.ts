import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  blockEntries,
  cronCommandAsRun,
  escapeForCron,
  parseCronEntry,
  removeBlock,
  renderBlock,
  renderCronEntry,
  shellQuote,
  splitShellWords,
  stripInjectedHeader,
  upsertBlock,
  UnbalancedMarkersError,
} from '../../src/schedule/crontab-text.js';
import { buildJobSpec, chooseMinute, parseMinute, sessionBusFor, SCHEDULED_ARGS, type JobSpec } from '../../src/schedule/job.js';
import { CrontabScheduler } from '../../src/schedule/crontab.js';
import type { CommandRunner, CommandResult, RunOptions } from '../../src/schedule/command-runner.js';
import { installSchedule, spreadMinute, uninstallSchedule } from '../../src/schedule/service.js';
import { testScheduleContext } from '../helpers/schedule-context.js';
import { probeCredentialAsJob } from '../../src/schedule/cron-environment.js';
import { readConfig } from '../../src/core/config.js';

const job = (overrides: Partial<JobSpec> = {}): JobSpec => ({
  minute: 17,
  nodePath: '/usr/bin/node',
  cliPath: '/opt/fathom-sync/bin/fathom-sync.js',
  args: [...SCHEDULED_ARGS],
  env: { FATHOM_SYNC_HOME: '/home/ann/fs' },
  logFile: '/home/ann/fs/state/sync.log',
  ...overrides,
});

describe('shell quoting and cron escaping', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote('/a b/c')).toBe("'/a b/c'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });

  it('escapes every % and cron turns it back', () => {
    const command = "'/tmp/100% sure/node' x%y";
    const escaped = escapeForCron(command);
    expect(escaped).toBe("'/tmp/100\\% sure/node' x\\%y");
    expect(cronCommandAsRun(escaped)).toEqual({ command, stdin: null });
  });

  it('models cron: a bare % ends the command and the rest is stdin', () => {
    expect(cronCommandAsRun('echo a%b%c')).toEqual({ command: 'echo a', stdin: 'b\nc' });
    expect(cronCommandAsRun('echo a\\nb')).toEqual({ command: 'echo a\\nb', stdin: null });
  });

  it('refuses a backslash right before a percent sign, which cron cannot express', () => {
    expect(() => escapeForCron("'/tmp/a\\%b'")).toThrow(/cannot express/);
  });

  it('refuses line breaks in paths', () => {
    expect(() => renderCronEntry(job({ logFile: '/tmp/a\nb' }))).toThrow(/line break/);
  });
});

describe('the cron entry', () => {
  it('uses absolute paths, the scheduled arguments, the env and appends output to the log', () => {
    expect(renderCronEntry(job())).toBe(
      '17 * * * * FATHOM_SYNC_HOME=/home/ann/fs /usr/bin/node /opt/fathom-sync/bin/fathom-sync.js run --incremental --quiet --scheduled >> /home/ann/fs/state/sync.log 2>&1',
    );
  });

  it('reads back what it wrote, even with spaces, quotes and % in paths', () => {
    const weird = job({
      nodePath: "/opt/my node's/100%/node",
      cliPath: '/srv/fathom sync/bin/fathom-sync.js',
      env: { FATHOM_SYNC_HOME: '/tmp/50% off/home', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' },
      logFile: '/tmp/50% off/home/state/sync.log',
    });
    const parsed = parseCronEntry(renderCronEntry(weird))!;
    expect(parsed.minute).toBe('17');
    expect(parsed.program).toBe(weird.nodePath);
    expect(parsed.args).toEqual([weird.cliPath, ...SCHEDULED_ARGS]);
    expect(parsed.env).toEqual(weird.env);
    expect(parsed.shellCommand).toContain("'/tmp/50% off/home/state/sync.log'");
  });

  it('splits shell words up to the first redirection', () => {
    expect(splitShellWords("A='x y' /bin/n 'a b' c\\ d >> log 2>&1")).toEqual(['A=x y', '/bin/n', 'a b', 'c d']);
  });
});

describe('the managed block', () => {
  const block = renderBlock(job());
  const existing = [
    'MAILTO=ann@example.com',
    '# backups, do not touch',
    '0 3 * * * /usr/local/bin/backup --all   # nightly',
    '',
    '*/5 * * * * echo "50%" > /dev/null',
    '',
  ].join('\n');

  it('is appended to an empty crontab', () => {
    expect(upsertBlock('', block)).toBe(`${block.join('\n')}\n`);
  });

  it('is appended after existing lines, which stay byte for byte', () => {
    const next = upsertBlock(existing, block);
    expect(next.startsWith(existing)).toBe(true);
    expect(next.slice(existing.length)).toBe(`${block.join('\n')}\n`);
  });

  it('adds a missing final newline before appending', () => {
    expect(upsertBlock('0 1 * * * x', block)).toBe(`0 1 * * * x\n${block.join('\n')}\n`);
  });

  it('is replaced in place, so installing twice leaves one entry', () => {
    const once = upsertBlock(existing, block);
    const withTail = `${once}# after\n`;
    const again = upsertBlock(withTail, renderBlock(job({ minute: 42 })));
    expect(again.split(BLOCK_BEGIN)).toHaveLength(2);
    expect(blockEntries(again)).toHaveLength(1);
    expect(blockEntries(again)[0]).toMatch(/^42 /);
    expect(again.startsWith(existing)).toBe(true);
    expect(again.endsWith('# after\n')).toBe(true);
    expect(upsertBlock(once, block)).toBe(once);
  });

  it('is removed exactly, giving back the original crontab', () => {
    expect(removeBlock(upsertBlock(existing, block))).toEqual({ text: existing, changed: true });
    const middle = `${existing}${block.join('\n')}\n# mine\n`;
    expect(removeBlock(middle).text).toBe(`${existing}# mine\n`);
    expect(removeBlock(existing)).toEqual({ text: existing, changed: false });
  });

  it('refuses damaged markers', () => {
    expect(() => upsertBlock(`${BLOCK_BEGIN}\nx\n`, block)).toThrow(UnbalancedMarkersError);
    expect(() => removeBlock(`${BLOCK_END}\n${BLOCK_BEGIN}\n`)).toThrow(/END comes before BEGIN/);
    expect(() => removeBlock(`${BLOCK_BEGIN}\n${BLOCK_END}\n${BLOCK_BEGIN}\n${BLOCK_END}\n`)).toThrow(/2 BEGIN/);
  });

  it('strips the header some crontab -l versions print', () => {
    const listed = '# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (- installed on Mon Jan  1 00:00:00 2024)\n# (Cron version -- $Id: crontab.c,v 2.13 $)\n0 1 * * * x\n';
    expect(stripInjectedHeader(listed)).toBe('0 1 * * * x\n');
    expect(stripInjectedHeader('0 1 * * * x\n')).toBe('0 1 * * * x\n');
  });
});

describe('the job', () => {
  const base = { nodePath: '/usr/bin/node', cliPath: '/opt/fs/bin/fathom-sync.js', logFile: '/x/sync.log', minute: 5 };

  it('carries FATHOM_SYNC_HOME, the database and API overrides, never the API key', () => {
    const spec = buildJobSpec({ ...base, env: { FATHOM_SYNC_HOME: '/h', FATHOM_SYNC_DB: '/d/x.db', FATHOM_API_URL: 'http://127.0.0.1:9/external/v1', FATHOM_API_KEY: 'secret', XDG_DATA_HOME: '/xdg', PATH: '/nvm/bin' } });
    expect(spec.env).toEqual({ FATHOM_SYNC_HOME: '/h', FATHOM_SYNC_DB: '/d/x.db', FATHOM_API_URL: 'http://127.0.0.1:9/external/v1' });
    expect(spec.args).toEqual(['run', '--incremental', '--quiet', '--scheduled']);
  });

  it('carries XDG directories without FATHOM_SYNC_HOME, and the session bus when given', () => {
    const spec = buildJobSpec({ ...base, env: { XDG_DATA_HOME: '/xdg/data', XDG_STATE_HOME: 'relative' }, sessionBusAddress: 'unix:path=/run/user/1000/bus' });
    expect(spec.env).toEqual({ XDG_DATA_HOME: '/xdg/data', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' });
  });

  it('refuses relative program paths', () => {
    expect(() => buildJobSpec({ ...base, nodePath: 'node', env: {} })).toThrow(/not absolute/);
  });

  it('keeps the saved minute, takes an explicit one, else picks one', () => {
    expect(chooseMinute(33, undefined, () => 7)).toBe(33);
    expect(chooseMinute(33, 12, () => 7)).toBe(12);
    expect(chooseMinute(undefined, undefined, () => 7)).toBe(7);
    expect(chooseMinute(99, undefined, () => 7)).toBe(7);
    expect(parseMinute('0')).toBe(0);
    expect(parseMinute('59')).toBe(59);
    expect(() => parseMinute('60')).toThrow(/0-59/);
    expect(() => parseMinute('1.5')).toThrow(/0-59/);
  });

  it('finds the session bus: this session first, else systemd', () => {
    expect(sessionBusFor(1000, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/x' }, () => true)).toBe('unix:path=/tmp/x');
    expect(sessionBusFor(1000, {}, (f) => f === '/run/user/1000/bus')).toBe('unix:path=/run/user/1000/bus');
    expect(sessionBusFor(1000, {}, () => false)).toBeUndefined();
  });
});

/** An in-memory `crontab` for one user, recording every call. */
function fakeCrontab(initial: string | null, options: { listFailure?: CommandResult; mangleWrites?: boolean } = {}) {
  let content = initial;
  const calls: { args: readonly string[]; input?: string }[] = [];
  const runner: CommandRunner = {
    async run(command: string, args: readonly string[], opts?: RunOptions) {
      expect(command).toBe('crontab');
      calls.push({ args, ...(opts?.input !== undefined ? { input: opts.input } : {}) });
      const op = args[args.length - 1];
      if (op === '-l') {
        if (options.listFailure) return options.listFailure;
        return content === null ? { code: 1, stdout: '', stderr: 'no crontab for ann\n' } : { code: 0, stdout: content, stderr: '' };
      }
      if (op === '-') {
        content = options.mangleWrites ? `${opts?.input ?? ''}# extra\n` : (opts?.input ?? '');
        return { code: 0, stdout: '', stderr: '' };
      }
      if (op === '-r') {
        content = null;
        return { code: 0, stdout: '', stderr: '' };
      }
      throw new Error(`unexpected crontab ${args.join(' ')}`);
    },
  };
  return { runner, calls, content: () => content };
}

describe('CrontabScheduler', () => {
  it('installs into a user without a crontab, then reads the job back', async () => {
    const fake = fakeCrontab(null);
    const scheduler = new CrontabScheduler(fake.runner, 'ann');
    const change = await scheduler.planInstall(job());
    expect(change.changes).toBe(true);
    await scheduler.apply(change);
    expect(fake.content()).toBe(`${renderBlock(job()).join('\n')}\n`);
    expect(fake.calls.every((c) => c.args[0] === '-u' && c.args[1] === 'ann')).toBe(true);
    const installed = await scheduler.inspect();
    expect(installed).toMatchObject({ kind: 'crontab', minute: '17', nodePath: '/usr/bin/node', cliPath: '/opt/fathom-sync/bin/fathom-sync.js', env: { FATHOM_SYNC_HOME: '/home/ann/fs' } });
  });

  it('writes nothing when the entry is already current', async () => {
    const fake = fakeCrontab(`${renderBlock(job()).join('\n')}\n`);
    const scheduler = new CrontabScheduler(fake.runner);
    const change = await scheduler.planInstall(job());
    expect(change.changes).toBe(false);
    await scheduler.apply(change);
    expect(fake.calls.map((c) => c.args.join(' '))).toEqual(['-l']);
  });

  it('never writes after a failed read: that would wipe the crontab', async () => {
    const fake = fakeCrontab('0 1 * * * x\n', { listFailure: { code: 1, stdout: '', stderr: 'crontab: you (ann) are not allowed to use this program\n' } });
    const scheduler = new CrontabScheduler(fake.runner);
    await expect(scheduler.planInstall(job())).rejects.toThrow(/not allowed/);
    expect(fake.calls.some((c) => c.args.includes('-'))).toBe(false);
  });

  it('says how to get cron when the program is missing', async () => {
    const runner: CommandRunner = { run: async () => ({ code: null, stdout: '', stderr: '', error: 'ENOENT' }) };
    await expect(new CrontabScheduler(runner).read()).rejects.toMatchObject({ fix: { text: expect.stringMatching(/apt-get install cron/) } });
  });

  it('removes the crontab when only our block was in it, and keeps the rest otherwise', async () => {
    const onlyOurs = fakeCrontab(`${renderBlock(job()).join('\n')}\n`);
    const s1 = new CrontabScheduler(onlyOurs.runner);
    const removal = await s1.planRemoval();
    expect(removal.content).toBeNull();
    await s1.apply(removal);
    expect(onlyOurs.content()).toBeNull();

    const mixed = fakeCrontab(`0 1 * * * x\n${renderBlock(job()).join('\n')}\n`);
    const s2 = new CrontabScheduler(mixed.runner);
    await s2.apply(await s2.planRemoval());
    expect(mixed.content()).toBe('0 1 * * * x\n');

    const none = fakeCrontab(null);
    const s3 = new CrontabScheduler(none.runner);
    const nothing = await s3.planRemoval();
    expect(nothing.changes).toBe(false);
    await s3.apply(nothing);
    expect(none.calls.map((c) => c.args.join(' '))).toEqual(['-l']);
  });

  it('fails loudly when the crontab read back differs from what was written', async () => {
    const fake = fakeCrontab('', { mangleWrites: true });
    const scheduler = new CrontabScheduler(fake.runner);
    await expect(scheduler.apply(await scheduler.planInstall(job()))).rejects.toThrow(/differs/);
  });
});

describe('install and uninstall services (fake crontab, temporary config)', () => {
  let dir: string;
  const setup = (env: NodeJS.ProcessEnv = {}, statusAnswer: CommandResult = { code: 0, stdout: '{"connected":true,"credential_location":"the file x"}', stderr: '' }) => {
    const crontab = fakeCrontab(null);
    const statusCalls: { args: readonly string[]; env?: NodeJS.ProcessEnv }[] = [];
    const runner: CommandRunner = {
      run: async (command, args, options) => {
        if (command === 'crontab') return crontab.runner.run(command, args, options);
        statusCalls.push({ args, ...(options?.env ? { env: options.env } : {}) });
        return statusAnswer;
      },
    };
    const ctx = testScheduleContext(dir, runner, env);
    return { ctx, crontab, statusCalls };
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-schedule-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--dry-run writes neither the crontab nor the config, and shows what install then writes', async () => {
    const { ctx, crontab } = setup();
    const dry = await installSchedule(ctx, { dryRun: true, host: 'box' });
    expect(crontab.content()).toBeNull();
    expect(fs.existsSync(ctx.paths.configFile)).toBe(false);
    const real = await installSchedule(ctx, { dryRun: false, host: 'box' });
    expect(crontab.content()).toBe(dry.change.content);
    expect(real.job.minute).toBe(dry.job.minute);
  });

  it('keeps the minute in config across uninstall and reinstall', async () => {
    const { ctx, crontab } = setup();
    const first = await installSchedule(ctx, { dryRun: false, host: 'box', minute: 44 });
    expect(first.credential).toEqual({ reachability: { readable: true, detail: 'found in the file x' } });
    expect(readConfig(ctx.paths.configFile)).toMatchObject({ cronMinute: 44, schedule: { kind: 'crontab', minute: 44, installedAt: '2026-03-01T10:00:00.000Z' } });
    await uninstallSchedule(ctx, { dryRun: false });
    expect(crontab.content()).toBeNull();
    expect(readConfig(ctx.paths.configFile).schedule).toBeUndefined();
    const again = await installSchedule(ctx, { dryRun: false, host: 'another-host' });
    expect(again.job.minute).toBe(44);
  });

  it('spreads first-install minutes by machine and user, the same every time', () => {
    const { ctx } = setup();
    expect(spreadMinute(ctx, 'box')).toBe(spreadMinute(ctx, 'box'));
    const minutes = new Set(Array.from({ length: 40 }, (_, i) => spreadMinute(ctx, `host-${i}`)));
    expect(minutes.size).toBeGreaterThan(15);
  });

  it('carries the session bus when the credential is in the keychain, and tests the job env exactly', async () => {
    const { ctx, crontab, statusCalls } = setup({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus', HOME: '/ignored' });
    fs.mkdirSync(ctx.paths.configDir, { recursive: true });
    fs.writeFileSync(ctx.paths.configFile, JSON.stringify({ credentials: { default: { backend: 'keychain', kind: 'api_key', savedAt: 'x' } } }));
    await installSchedule(ctx, { dryRun: false, host: 'box' });
    expect(crontab.content()).toContain('DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus /usr/bin/node');
    expect(statusCalls).toEqual([
      {
        args: ['/opt/fs/bin/fathom-sync.js', 'status', '--json'],
        env: { HOME: dir, LOGNAME: 'ann', USER: 'ann', SHELL: '/bin/sh', PATH: '/usr/bin:/bin', FATHOM_SYNC_HOME: path.join(dir, 'fs'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' },
      },
    ]);
  });

  it('explains what to do when the job cannot read a keychain credential', async () => {
    const problem = { code: 4, stdout: '{"connected":false,"problem":"cannot read the Fathom credential from the OS keychain: no answer within 5000 ms"}', stderr: '' };
    const { ctx } = setup({}, problem);
    fs.mkdirSync(ctx.paths.configDir, { recursive: true });
    fs.writeFileSync(ctx.paths.configFile, JSON.stringify({ credentials: { default: { backend: 'keychain', kind: 'api_key', savedAt: 'x' } } }));
    const outcome = await installSchedule(ctx, { dryRun: false, host: 'box' });
    expect(outcome.credential?.reachability).toEqual({ readable: false, reason: expect.stringContaining('no answer within 5000 ms') });
    expect(outcome.credential?.fix?.commands).toEqual(['loginctl enable-linger "$USER" && fathom-sync install-cron', 'FATHOM_SYNC_TOKEN_STORE=file fathom-sync connect']);
  });
});

describe('probing the credential as the job', () => {
  const probe = (result: CommandResult) => probeCredentialAsJob({ run: async () => result }, job(), {});
  it('reads exit 0 as readable, 4 as not, anything else as unknown', async () => {
    expect(await probe({ code: 0, stdout: '{"connected":true,"credential_store":"file"}', stderr: '' })).toEqual({ readable: true, detail: 'found in file' });
    expect(await probe({ code: 4, stdout: '{"connected":false,"problem":null}', stderr: '' })).toMatchObject({ readable: false, reason: expect.stringMatching(/FATHOM_API_KEY/) });
    expect(await probe({ code: 2, stdout: '', stderr: "fathom-sync: unknown command 'status'" })).toMatchObject({ readable: 'unknown' });
    expect(await probe({ code: null, stdout: '', stderr: '', error: 'ENOENT' })).toMatchObject({ readable: 'unknown', reason: expect.stringContaining('ENOENT') });
  });
});
