import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { BLOCK_BEGIN, BLOCK_END, parseCronEntry } from '../../src/schedule/crontab-text.js';
import { CLI, collect, dbPath, runCli, tempHome } from '../helpers/cli.js';
import { need } from '../helpers/capabilities.js';
import { createThrowawayUser, type ThrowawayUser } from '../helpers/crontab-user.js';
import { query } from '../helpers/truth.js';
import { startSecretService, type SecretService } from '../helpers/secret-service.js';

/**
 * install-cron / uninstall-cron against the real crontab(1), always on a throwaway user's
 * crontab (`--crontab-user`), never on the crontab of whoever runs the tests.
 */

const crontab = need('crontab');
const secretService = need('secret-service');

const USERS_CRONTAB = [
  'MAILTO=ann@example.com',
  '# nightly backup -- keep',
  '0 3 * * * /usr/local/bin/backup --all >/dev/null 2>&1   # trailing comment',
  '',
  '*/5 * * * * date +\\%s >> /tmp/ticks',
  '\t# indented comment with trailing spaces   ',
  '',
].join('\n');

let server: FakeFathom;
let user: ThrowawayUser;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;

const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const asUser = (args: string[]) => [...args, '--crontab-user', user.name];
const configOf = () => JSON.parse(fs.readFileSync(path.join(env.FATHOM_SYNC_HOME!, 'config', 'config.json'), 'utf8')) as Record<string, any>;

describe.skipIf(crontab.skip)(crontab.title('install-cron and uninstall-cron with the real crontab'), () => {
  beforeAll(async () => {
    // An hour back: meetings the server adds later are still in the past for a real-time run.
    server = await startFakeFathom({ seed: 11, meetingCount: 20, now: Date.now() - 3600_000, segmentsPerMeeting: [0, 5], pendingFraction: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    user = createThrowawayUser();
    home = tempHome();
    env = { ...home.baseEnv, FATHOM_API_URL: server.url };
  });
  afterEach(() => {
    user.remove();
    home.cleanup();
  });

  it('installs into a user with no crontab; twice leaves one entry; uninstall leaves no crontab', async () => {
    expect(user.crontab()).toBeNull();
    const first = await runCli(asUser(['install-cron']), env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`Installed the hourly sync in the crontab of ${user.name} \\(every hour at minute \\d+\\)`));
    const installed = user.crontab()!;
    const lines = installed.split('\n');
    expect(lines[0]).toBe(BLOCK_BEGIN);
    expect(lines.at(-2)).toBe(BLOCK_END);
    const entries = lines.filter((l) => /^\d/.test(l));
    expect(entries).toHaveLength(1);
    const minute = configOf().cronMinute as number;
    expect(entries[0]).toBe(
      `${minute} * * * * FATHOM_SYNC_HOME=${env.FATHOM_SYNC_HOME} FATHOM_API_URL=${server.url} ${process.execPath} ${fs.realpathSync(CLI)} run --incremental --quiet --scheduled >> ${env.FATHOM_SYNC_HOME}/state/sync.log 2>&1`,
    );
    expect(fs.statSync(path.join(env.FATHOM_SYNC_HOME!, 'state')).isDirectory()).toBe(true);
    expect(configOf().schedule).toMatchObject({ kind: 'crontab', minute, nodePath: process.execPath, cliPath: fs.realpathSync(CLI), crontabUser: user.name });

    const second = await runCli(asUser(['install-cron']), env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already installed .*nothing changed/);
    expect(user.crontab()).toBe(installed);

    const removed = await runCli(['uninstall-cron'], env); // the recorded user is used
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/Removed the hourly sync/);
    expect(user.crontab()).toBeNull();
    expect(configOf().schedule).toBeUndefined();
    expect(configOf().cronMinute).toBe(minute);

    const again = await runCli(asUser(['uninstall-cron']), env);
    expect(again.stdout).toMatch(/No fathom-sync schedule .*nothing changed/);
  });

  it('keeps every other line of an existing crontab byte for byte, and uninstall restores it exactly', async () => {
    user.setCrontab(USERS_CRONTAB);
    expect(user.crontab()).toBe(USERS_CRONTAB);
    expect((await runCli(asUser(['install-cron', '--minute', '7']), env)).code).toBe(0);
    const installed = user.crontab()!;
    expect(installed.startsWith(USERS_CRONTAB)).toBe(true);
    expect(installed.slice(USERS_CRONTAB.length).split('\n').filter((l) => /^\d/.test(l))).toEqual([expect.stringMatching(/^7 \* \* \* \* /)]);

    // Reinstalling keeps the chosen minute and the user's lines.
    expect((await runCli(asUser(['install-cron']), env)).code).toBe(0);
    expect(user.crontab()).toBe(installed);

    expect((await runCli(asUser(['uninstall-cron']), env)).code).toBe(0);
    expect(user.crontab()).toBe(USERS_CRONTAB);
  });

  it('--dry-run prints exactly what install writes and changes nothing', async () => {
    user.setCrontab(USERS_CRONTAB);
    const dry = await runCli(asUser(['install-cron', '--dry-run', '--json']), env);
    expect(dry.code).toBe(0);
    const planned = json(dry.stdout);
    expect(planned).toMatchObject({ dry_run: true, scheduler: 'crontab', changed: false });
    expect(user.crontab()).toBe(USERS_CRONTAB);
    expect(fs.existsSync(path.join(env.FATHOM_SYNC_HOME!, 'config', 'config.json'))).toBe(false);
    const text = await runCli(asUser(['install-cron', '--dry-run']), env);
    expect(text.stdout).toContain(planned.content);

    expect((await runCli(asUser(['install-cron']), env)).code).toBe(0);
    expect(user.crontab()).toBe(planned.content);

    const dryRemove = await runCli(asUser(['uninstall-cron', '--dry-run']), env);
    expect(dryRemove.stdout).toContain(BLOCK_BEGIN);
    expect(dryRemove.stdout).toContain(USERS_CRONTAB.trimEnd());
    expect(user.crontab()).toBe(planned.content);
  });

  it('escapes % in paths so cron runs the right command', async () => {
    env.FATHOM_SYNC_HOME = path.join(home.home, '100% sync');
    expect((await runCli(asUser(['install-cron']), env)).code).toBe(0);
    const entry = user.crontab()!.split('\n').find((l) => /^\d/.test(l))!;
    expect(entry).toContain("FATHOM_SYNC_HOME='");
    expect(entry).toContain('100\\% sync');
    expect(entry).not.toMatch(/[^\\]%/);
  });

  it('warns, with the fix, when the job could not read the credential', async () => {
    const r = await runCli(asUser(['install-cron']), { ...env, FATHOM_API_KEY: 'fake-api-key' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the scheduled job cannot read the Fathom credential: no stored credential/);
    expect(r.stderr).toMatch(/^ {4}\$ fathom-sync connect$/m);
  });

  it('end to end: the exact command install-cron wrote, run like cron runs it, syncs new meetings', async () => {
    // A % in the home directory exercises the escaping on the way through cron, too.
    env.FATHOM_SYNC_HOME = path.join(home.home, '50% home');
    const connected = await runCli(['connect', '--api-key'], { ...env, FATHOM_SYNC_TOKEN_STORE: 'file' }, { input: 'fake-api-key\n' });
    expect(connected.code, connected.stderr).toBe(0);

    const install = await runCli(asUser(['install-cron']), env);
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/✓ The scheduled job can read the Fathom credential/);
    const entry = user.crontab()!.split('\n').find((l) => /^\d/.test(l))!;

    // What cron does (crontab(5)): the first five fields are the time; the rest, with \% turned
    // back into %, goes to `sh -c` with HOME, LOGNAME, SHELL and PATH=/usr/bin:/bin, nothing else.
    const fields = entry.split(' ');
    const command = fields.slice(5).join(' ').replace(/\\%/g, '%');
    const runAsCron = async () => {
      const child = spawn('env', ['-i', `HOME=${home.home}`, 'LOGNAME=root', 'SHELL=/bin/sh', 'PATH=/usr/bin:/bin', 'sh', '-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin!.end();
      return collect(child);
    };

    const first = await runAsCron();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout + first.stderr).toBe(''); // everything went to the log
    const db = dbPath(env);
    expect(query(db, 'SELECT COUNT(*) AS n FROM meetings')[0]).toEqual({ n: 20 });

    const added = server.addMeetings(3);
    const second = await runAsCron();
    expect(second.code, second.stderr).toBe(0);
    const ids = query<{ recording_id: number }>(db, 'SELECT recording_id FROM meetings').map((r) => r.recording_id);
    for (const m of added) expect(ids).toContain(m.recording_id);
    expect(query(db, 'SELECT trigger, status, meetings_new FROM sync_runs ORDER BY id')).toEqual([
      { trigger: 'schedule', status: 'ok', meetings_new: 20 },
      { trigger: 'schedule', status: 'ok', meetings_new: 3 },
    ]);
    const log = fs.readFileSync(path.join(env.FATHOM_SYNC_HOME, 'state', 'sync.log'), 'utf8');
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z synced 20 meetings \(20 new/m);
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z synced \d+ meetings \(3 new/m);
  });

  describe.skipIf(secretService.skip)(secretService.title('with the credential in the Secret Service'), () => {
    let secrets: SecretService;
    beforeEach(async () => {
      secrets = await startSecretService();
    });
    afterEach(() => secrets.stop());

    it('the job carries the session bus address, and the job reads the keychain through it', async () => {
      const bus = secrets.env.DBUS_SESSION_BUS_ADDRESS;
      const withBus = { ...env, DBUS_SESSION_BUS_ADDRESS: bus, FATHOM_SYNC_TOKEN_STORE: 'keychain' };
      const connected = await runCli(['connect', '--api-key'], withBus, { input: 'fake-api-key\n' });
      expect(connected.code, connected.stderr).toBe(0);
      expect(configOf().credentials.default.backend).toBe('keychain');

      const install = await runCli(asUser(['install-cron']), withBus);
      expect(install.code, install.stderr).toBe(0);
      expect(install.stdout).toMatch(/✓ The scheduled job can read the Fathom credential \(found in the OS keychain/);
      const entry = user.crontab()!.split('\n').find((l) => /^\d/.test(l))!;
      expect(parseCronEntry(entry)!.env.DBUS_SESSION_BUS_ADDRESS).toBe(bus);

      const command = entry.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
      const child = spawn('env', ['-i', `HOME=${home.home}`, 'LOGNAME=root', 'SHELL=/bin/sh', 'PATH=/usr/bin:/bin', 'sh', '-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin!.end();
      const ran = await collect(child);
      expect(ran.code, fs.readFileSync(path.join(env.FATHOM_SYNC_HOME!, 'state', 'sync.log'), 'utf8')).toBe(0);
      expect(query(dbPath(env), 'SELECT COUNT(*) AS n FROM meetings')[0]).toEqual({ n: server.meetingCount() });
    });

    it('without a session bus the job cannot read the keychain: install-cron says why and what to do', async () => {
      const withBus = { ...env, DBUS_SESSION_BUS_ADDRESS: secrets.env.DBUS_SESSION_BUS_ADDRESS, FATHOM_SYNC_TOKEN_STORE: 'keychain' };
      expect((await runCli(['connect', '--api-key'], withBus, { input: 'fake-api-key\n' })).code).toBe(0);
      // Installed from a shell without a bus (over SSH, say): the entry has none to carry.
      const install = await runCli(asUser(['install-cron']), env);
      expect(install.code).toBe(0);
      expect(user.crontab()).not.toContain('DBUS_SESSION_BUS_ADDRESS');
      expect(install.stderr).toMatch(/warning: the scheduled job cannot read the Fathom credential: .*keychain/);
      expect(install.stderr).toContain('FATHOM_SYNC_TOKEN_STORE=file fathom-sync connect');
      expect(install.stderr).toMatch(/loginctl enable-linger/);
    });
  });
});
