import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as plist from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LaunchdScheduler, LAUNCHD_LABEL, parseAgentPlist, parseLastExitCode, renderAgentPlist } from '../../src/schedule/launchd.js';
import { parsePlist, PlistParseError, renderPlist } from '../../src/schedule/plist.js';
import { SCHEDULED_ARGS, type JobSpec } from '../../src/schedule/job.js';
import type { CommandResult, CommandRunner } from '../../src/schedule/command-runner.js';
import { need } from '../helpers/capabilities.js';

const job = (overrides: Partial<JobSpec> = {}): JobSpec => ({
  minute: 23,
  nodePath: '/opt/homebrew/Cellar/node/20.11.0/bin/node',
  cliPath: '/Users/ann/dev/fathom & sync/bin/fathom-sync.js',
  args: [...SCHEDULED_ARGS],
  env: { FATHOM_SYNC_HOME: '/Users/ann/<fs>' },
  logFile: '/Users/ann/Library/Logs/fathom-sync/sync.log',
  ...overrides,
});

/*
 * Golden files in tests/fixtures/launchd/, read by an independent parser (the `plist` package)
 * and, on macOS, checked by Apple's own `plutil -lint`: what install-cron writes is compared with
 * them byte for byte, so nothing here trusts the renderer to judge its own output.
 */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'launchd');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
/** The LaunchAgent install-cron writes for job(), as launchd reads it. */
const AGENT_PLIST = `${LAUNCHD_LABEL}.plist`;
const GOLDEN = fs.readdirSync(FIXTURES).filter((name) => name.endsWith('.plist'));

/** Every supported type: the subset fixture's content. */
const SUBSET = { a: 'x & <y> "q"', n: 5, neg: -2, t: true, f: false, list: ['1', 2, []], nested: { k: '' }, empty: {} };

describe('plist', () => {
  it('renders the launchd subset as the golden file, which an independent parser reads back', () => {
    expect(renderPlist(SUBSET)).toBe(fixture('subset.plist'));
    expect(plist.parse(fixture('subset.plist'))).toEqual(SUBSET);
  });

  it('parses a plist as Apple tools write it, as an independent parser does', () => {
    const xml = fixture('apple-written.plist');
    const expected = { Label: 'com.example.x', RunAtLoad: true, Args: ['/bin/echo', 'a &amp; b!'] };
    expect(plist.parse(xml)).toEqual(expected);
    expect(parsePlist(xml)).toEqual(expected);
    expect(parsePlist(fixture('subset.plist'))).toEqual(SUBSET);
  });

  it('rejects what it does not understand', () => {
    expect(() => parsePlist('<plist><dict><key>a</key><real>1.5</real></dict></plist>')).toThrow(PlistParseError);
    expect(() => parsePlist('<html></html>')).toThrow(/not a plist/);
  });

  const plutil = need('plutil');
  it.skipIf(plutil.skip)(plutil.title('every golden file passes plutil -lint'), () => {
    for (const name of GOLDEN) {
      const r = spawnSync('plutil', ['-lint', path.join(FIXTURES, name)], { encoding: 'utf8' });
      expect(r.status, `${name}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });
});

describe('the LaunchAgent plist', () => {
  it('is the golden file: absolute node and CLI hourly at the minute, with PATH, env and log paths', () => {
    const golden = fixture(AGENT_PLIST);
    expect(renderAgentPlist(job())).toBe(golden);
    expect(plist.parse(golden)).toEqual({
      Label: 'com.fathom-sync.hourly',
      ProgramArguments: ['/opt/homebrew/Cellar/node/20.11.0/bin/node', '/Users/ann/dev/fathom & sync/bin/fathom-sync.js', 'run', '--incremental', '--quiet', '--scheduled'],
      EnvironmentVariables: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', FATHOM_SYNC_HOME: '/Users/ann/<fs>' },
      // StartCalendarInterval (not StartInterval): a run missed during sleep happens on wake.
      StartCalendarInterval: { Minute: 23 },
      StandardOutPath: '/Users/ann/Library/Logs/fathom-sync/sync.log',
      StandardErrorPath: '/Users/ann/Library/Logs/fathom-sync/sync.log',
      ProcessType: 'Background',
    });
    expect(golden).not.toMatch(/RunAtLoad|StartInterval</);
    expect(parseAgentPlist(golden)).toMatchObject({
      label: LAUNCHD_LABEL,
      minute: 23,
      programArguments: [job().nodePath, job().cliPath, ...SCHEDULED_ARGS],
    });
  });

  it('reads the last exit code from launchctl print', () => {
    expect(parseLastExitCode('\tstate = not running\n\tlast exit code = 5\n')).toBe(5);
    expect(parseLastExitCode('\tlast exit code = (never exited)\n')).toBeNull();
    expect(parseLastExitCode('nothing')).toBeUndefined();
  });
});

/** Records launchctl calls and answers from a script. */
function fakeLaunchctl(answers: Partial<Record<string, CommandResult[]>> = {}) {
  const calls: string[][] = [];
  const runner: CommandRunner = {
    async run(command, args) {
      calls.push([command, ...args]);
      const queue = answers[args[0]!];
      return queue?.shift() ?? { code: 0, stdout: args[0] === 'print' ? 'state = waiting\n\tlast exit code = 0\n' : '', stderr: '' };
    },
  };
  return { runner, calls };
}

describe('LaunchdScheduler', () => {
  let home: string;
  const uid = 501;
  const sleeps: number[] = [];
  const options = () => ({ home, uid, sleep: async (ms: number) => void sleeps.push(ms) });
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-launchd-'));
    sleeps.length = 0;
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('writes the plist 0644 in ~/Library/LaunchAgents, then bootout, bootstrap gui/<uid>, print', async () => {
    const fake = fakeLaunchctl({ bootout: [{ code: 3, stdout: '', stderr: 'Boot-out failed: 3: No such process' }] });
    const scheduler = new LaunchdScheduler(fake.runner, options());
    const change = await scheduler.planInstall(job());
    await scheduler.apply(change);
    const plist = path.join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
    expect(scheduler.plistPath).toBe(plist);
    expect(fs.readFileSync(plist, 'utf8')).toBe(fixture(AGENT_PLIST));
    expect(fs.statSync(plist).mode & 0o777).toBe(0o644);
    expect(fake.calls).toEqual([
      ['launchctl', 'bootout', `gui/${uid}/${LAUNCHD_LABEL}`],
      ['launchctl', 'bootstrap', `gui/${uid}`, plist],
      ['launchctl', 'print', `gui/${uid}/${LAUNCHD_LABEL}`],
    ]);
    expect(change.commands).toEqual(fake.calls);
  });

  it('retries a bootstrap that fails with launchd\'s transient I/O error', async () => {
    const fake = fakeLaunchctl({ bootstrap: [{ code: 5, stdout: '', stderr: 'Bootstrap failed: 5: Input/output error\n' }] });
    const scheduler = new LaunchdScheduler(fake.runner, options());
    await scheduler.apply(await scheduler.planInstall(job()));
    expect(fake.calls.filter((c) => c[1] === 'bootstrap')).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('fails with the command to run when bootstrap keeps failing or the agent is not loaded', async () => {
    const failing = fakeLaunchctl({ bootstrap: [{ code: 37, stdout: '', stderr: 'Bootstrap failed: 37: Operation already in progress' }] });
    const s1 = new LaunchdScheduler(failing.runner, options());
    await expect(s1.apply(await s1.planInstall(job()))).rejects.toMatchObject({ fix: { text: expect.stringContaining(`launchctl bootstrap gui/${uid}`) } });

    const notLoaded = fakeLaunchctl({ print: [{ code: 113, stdout: '', stderr: 'Could not find service' }] });
    const s2 = new LaunchdScheduler(notLoaded.runner, options());
    await expect(s2.apply(await s2.planInstall(job()))).rejects.toThrow(/did not load/);
  });

  it('inspects the installed agent: paths, env without PATH, loaded and last exit code', async () => {
    const fake = fakeLaunchctl();
    const scheduler = new LaunchdScheduler(fake.runner, options());
    expect(await scheduler.inspect()).toBeNull();
    await scheduler.apply(await scheduler.planInstall(job()));
    const installed = await scheduler.inspect();
    expect(installed).toMatchObject({
      kind: 'launchd',
      minute: '23',
      nodePath: job().nodePath,
      cliPath: job().cliPath,
      args: SCHEDULED_ARGS,
      env: { FATHOM_SYNC_HOME: '/Users/ann/<fs>' },
      loaded: true,
      lastExitCode: 0,
    });
  });

  it('uninstalls: bootout and delete the plist; nothing to do when absent', async () => {
    const fake = fakeLaunchctl();
    const scheduler = new LaunchdScheduler(fake.runner, options());
    expect((await scheduler.planRemoval()).changes).toBe(false);
    await scheduler.apply(await scheduler.planInstall(job()));
    fake.calls.length = 0;
    const removal = await scheduler.planRemoval();
    expect(removal.owned).toBe(fixture(AGENT_PLIST));
    await scheduler.apply(removal);
    expect(fs.existsSync(scheduler.plistPath)).toBe(false);
    expect(fake.calls).toEqual([['launchctl', 'bootout', `gui/${uid}/${LAUNCHD_LABEL}`]]);
  });
});
