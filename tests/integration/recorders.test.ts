import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { expectDatabaseMatches, query } from '../helpers/truth.js';

/**
 * Recorders outside the organisation (`config add-recorder`): Fathom lists the calls a customer
 * recorded and shared only to a request that names them in recorded_by[]. The list lives in
 * config.json; every run also asks for their calls, slice by slice, and merges; status and doctor
 * show it.
 */

const NOW = '2026-11-20T12:00:00Z';
const JANE = 'jane.smith@acme.com';
const SATO = 'k.sato@sakura-tech.jp';
const GENEROUS = { global: { limit: 1_000_000, windowMs: 60_000 }, heavy: { limit: 1_000_000, windowMs: 60_000 } };

let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startFakeFathom({ seed: 31, meetingCount: 70, now: Date.parse(NOW), segmentsPerMeeting: [0, 5], pendingFraction: 0, outsiderShare: 0.15, rateLimit: GENEROUS });
});
afterAll(() => server.close());
beforeEach(() => {
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
  server.resetStats();
});
afterEach(() => home.cleanup());

const configFile = () => path.join(env.FATHOM_SYNC_HOME!, 'config', 'config.json');
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('config add-recorder / recorders / remove-recorder', () => {
  it.each([['not-an-email'], ['jane smith@acme.com'], ['@acme.com'], ['']])('%j is refused: one line, exit 2, nothing written', async (bad) => {
    const r = await runCli(['config', 'add-recorder', bad], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is not an email address/);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(env.FATHOM_SYNC_HOME!)).toBe(false);
    expect((await runCli(['config', 'remove-recorder', bad || 'x'], env)).code).toBe(2);
  });

  it('keeps the list in config.json, lower case and once each, next to what is there already', async () => {
    fs.mkdirSync(path.dirname(configFile()), { recursive: true });
    fs.writeFileSync(configFile(), JSON.stringify({ cronMinute: 17 }));
    const added = await runCli(['config', 'add-recorder', 'Jane.Smith@ACME.com'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^Added jane\.smith@acme\.com: every run now also asks Fathom for the calls they recorded and shared with you/);
    const again = await runCli(['config', 'add-recorder', JANE, '--json'], env);
    expect(json(again.stdout)).toEqual({ recorders: [JANE], added: false });
    expect(json((await runCli(['config', 'add-recorder', SATO, '--json'], env)).stdout)).toEqual({ recorders: [JANE, SATO], added: true });
    expect(JSON.parse(fs.readFileSync(configFile(), 'utf8'))).toEqual({ cronMinute: 17, recorders: [JANE, SATO] });
    expect((await runCli(['config', 'recorders'], env)).stdout).toBe(`${JANE}\n${SATO}\n`);
    expect(json((await runCli(['config', 'list-recorders', '--json'], env)).stdout)).toEqual({ recorders: [JANE, SATO] });
    const removed = await runCli(['config', 'remove-recorder', 'K.Sato@sakura-tech.jp'], env);
    expect(removed.stdout).toMatch(/^Removed k\.sato@sakura-tech\.jp; the meetings already synced stay/);
    expect((await runCli(['config', 'remove-recorder', SATO], env)).stdout).toMatch(/was not in the list; nothing changed/);
    expect(JSON.parse(fs.readFileSync(configFile(), 'utf8'))).toEqual({ cronMinute: 17, recorders: [JANE] });
    const none = await runCli(['config', 'remove-recorder', JANE], env);
    expect(none.code).toBe(0);
    expect((await runCli(['config', 'recorders'], env)).stdout).toMatch(/^No recorders outside your organisation\. fathom-sync config add-recorder EMAIL adds one\./);
    expect((await runCli(['config'], env)).code).toBe(2);
  });

  it('status (text and --json) and doctor show the list', async () => {
    expect(json((await runCli(['status', '--json'], env)).stdout).recorders).toEqual([]);
    expect((await runCli(['status'], env)).stdout).not.toContain('Recorders:');
    await runCli(['config', 'add-recorder', JANE], env);
    await runCli(['config', 'add-recorder', SATO], env);
    const text = await runCli(['status'], env);
    expect(text.stdout).toMatch(new RegExp(`^Recorders: {3}${JANE}, ${SATO} \\(outside your organisation: their shared calls are synced too\\)$`, 'm'));
    expect(json((await runCli(['status', '--json'], env)).stdout).recorders).toEqual([JANE, SATO]);
    const doctor = json((await runCli(['doctor', '--json', '--verbose'], env)).stdout);
    expect(doctor.checks.find((c: any) => c.id === 'config').details).toEqual([`recorders outside your organisation, whose shared calls every run also asks for: ${JANE}, ${SATO}`]);
  });
});

describe('a run with recorders outside the organisation', () => {
  it('without them, their calls stay out of every run', async () => {
    const r = await runCli(['run', '--all', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).recorders).toEqual([]);
    expectDatabaseMatches(dbPath(env), server.meetings());
    expect(server.requests.some((q) => q.query.has('recorded_by[]'))).toBe(false);
  });

  it('asks each slice again naming them in recorded_by[] and merges; a meeting both queries list is stored once', async () => {
    // An internal recorder named as well: the org's listing has her calls too.
    const internal = server.meetings()[0]!.recorded_by.email;
    for (const email of [JANE, internal]) await runCli(['config', 'add-recorder', email], env);
    const r = await runCli(['run', '--all', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(out.recorders).toEqual([JANE, internal]);
    const truth = server.meetings({ alsoRecordedBy: [JANE] });
    expectDatabaseMatches(dbPath(env), truth);
    expect(out).toMatchObject({ meetings_new: truth.length, meetings_seen: truth.length });
    // Every slice: the run's own query to its end, then the same bounds with recorded_by[] naming them.
    const firsts = server.requests.filter((q) => q.path === '/meetings' && !q.query.has('cursor'));
    expect(firsts.length).toBe(2 * out.slices);
    for (let i = 0; i < firsts.length; i += 2) {
      const [own, theirs] = [firsts[i]!.query, firsts[i + 1]!.query];
      expect(own.getAll('recorded_by[]')).toEqual([]);
      expect(theirs.getAll('recorded_by[]')).toEqual([JANE, internal]);
      expect([theirs.get('created_after'), theirs.get('created_before')]).toEqual([own.get('created_after'), own.get('created_before')]);
    }
    expect(query(dbPath(env), 'SELECT COUNT(*) AS n FROM meetings WHERE recorded_by_email = ?', JANE)).toEqual([{ n: server.outsideRecorders()[0]!.meetings }]);
  });

  it('a run filtered with --recorded-by asks only for whom it names; a filtered run with other filters asks for them too', async () => {
    await runCli(['config', 'add-recorder', JANE], env);
    const byRecorder = await runCli(['run', '--all', '--recorded-by', SATO, '--json'], env);
    expect(byRecorder.code, byRecorder.stderr).toBe(0);
    expect(new Set(server.requests.filter((q) => q.path === '/meetings').map((q) => q.query.getAll('recorded_by[]').join(',')))).toEqual(new Set([SATO]));
    expectDatabaseMatches(dbPath(env), server.meetings({ alsoRecordedBy: [SATO] }).filter((m) => m.recorded_by.email === SATO));
    server.resetStats();
    const external = await runCli(['run', '--since', '2026-10-01', '--external-only', '--json'], env);
    expect(external.code, external.stderr).toBe(0);
    const theirs = server.requests.filter((q) => q.query.getAll('recorded_by[]').includes(JANE));
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((q) => q.query.get('calendar_invitees_domains_type') === 'one_or_more_external')).toBe(true);
  });

  it('an entry that is not an address (config.json edited by hand) is left out with a warning; the run goes on', async () => {
    fs.mkdirSync(path.dirname(configFile()), { recursive: true });
    fs.writeFileSync(configFile(), JSON.stringify({ recorders: ['jane at acme', JANE] }));
    const r = await runCli(['run', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).recorders).toEqual([JANE]);
    expect(r.stderr).toMatch(/warning: recorders in .*config\.json: "jane at acme" is not an email address; left out \(fathom-sync config remove-recorder "jane at acme"\)/);
    const doctor = json((await runCli(['doctor', '--json'], env)).stdout);
    expect(doctor.checks.find((c: any) => c.id === 'config')).toMatchObject({ status: 'warning', fix: { commands: ["fathom-sync config remove-recorder 'jane at acme'"] } });
    expect((await runCli(['config', 'remove-recorder', 'jane at acme'], env)).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(configFile(), 'utf8'))).toEqual({ recorders: [JANE] });
  });
});
