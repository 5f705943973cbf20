import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeFathom } from '../../src/fake-server/server.js';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import { MeetingSchema } from '../../src/api/schemas.js';
import { isContentComplete } from '../../src/db/meeting-store.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { AUTHORIZE_URL_PATTERN, freePort, oauthEnv, playBrowser, startLiveCli, startOAuthFake } from '../helpers/connect.js';
import { expectDatabaseMatches, query } from '../helpers/truth.js';

/**
 * Token refresh across real processes: 5 minutes before expiry, once after a 401, rotation of
 * single-use refresh tokens, two processes at once, and a revoked refresh token. Also the OAuth
 * data path of `run` (summary and transcript per recording).
 */

let fake: FakeFathom;
let oauth: FakeOAuth;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ({ fake, oauth } = await startOAuthFake({ fake: { meetingCount: 12, pendingFraction: 0.1, rateLimit: false } }));
});
afterAll(() => fake.close());
beforeEach(async () => {
  home = tempHome();
  const port = await freePort();
  oauth.setRedirectUris([`http://127.0.0.1:${port}/callback`]);
  env = { ...home.baseEnv, ...oauthEnv(fake, oauth), FATHOM_CLIENT_SECRET: oauth.clientSecret, FATHOM_SYNC_TOKEN_STORE: 'file' };
  const cli = startLiveCli(['connect', '--no-browser', '--port', String(port)], env);
  const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
  await playBrowser(url!);
  expect((await cli.done).code).toBe(0);
  // Later runs find the client secret in the store, as the hourly job does.
  delete env.FATHOM_CLIENT_SECRET;
  fake.resetStats();
  oauth.tokenRequests.length = 0;
});
afterEach(() => home.cleanup());

const credentialsFile = () => path.join(env.FATHOM_SYNC_HOME!, 'config', 'credentials.json');
const storedToken = () => JSON.parse((JSON.parse(fs.readFileSync(credentialsFile(), 'utf8')) as Record<string, string>).default!) as Record<string, any>;
const refreshes = () => oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token');

/** Makes the stored access token one that expires in a minute (as an hour later would). */
function ageStoredToken(): void {
  const all = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8')) as Record<string, string>;
  const token = JSON.parse(all.default!) as Record<string, unknown>;
  all.default = JSON.stringify({ ...token, expiresAt: Date.now() + 60_000, obtainedAt: Date.now() - 3_600_000 });
  fs.writeFileSync(credentialsFile(), JSON.stringify(all));
}

describe('refresh', () => {
  it('renews a token that expires within 5 minutes before the first call, and saves the new pair', async () => {
    const before = storedToken();
    ageStoredToken();
    const r = await runCli(['run', '--last', '5', '--json'], env);
    expect(r.code).toBe(0);
    expect(refreshes()).toEqual([expect.objectContaining({ status: 200, contentType: 'application/x-www-form-urlencoded' })]);
    const after = storedToken();
    expect(after.accessToken).toBe(oauth.lastIssued()!.accessToken);
    expect(after.refreshToken).toBe(oauth.lastIssued()!.refreshToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now() + 3000_000);
    // No API call was made with the old token.
    expect(fake.requests.every((q) => q.status !== 401)).toBe(true);
  });

  it('renews at the token URL connect used, in a run whose environment does not name it (the hourly job)', async () => {
    const config = JSON.parse(fs.readFileSync(path.join(env.FATHOM_SYNC_HOME!, 'config', 'config.json'), 'utf8')) as Record<string, any>;
    expect(config.oauth.tokenUrl).toBe(oauth.tokenUrl);
    const { FATHOM_OAUTH_TOKEN_URL: _, FATHOM_OAUTH_AUTHORIZE_URL: __, ...jobEnv } = env;
    ageStoredToken();
    const r = await runCli(['run', '--last', '5', '--json'], jobEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(refreshes()).toEqual([expect.objectContaining({ status: 200 })]);
  });

  it('renews once after a 401 and retries the call', async () => {
    fake.revokeAccessToken(oauth.lastIssued()!.accessToken);
    const r = await runCli(['run', '--last', '5', '--json'], env);
    expect(r.code).toBe(0);
    expect(refreshes()).toHaveLength(1);
    expect(fake.requests.filter((q) => q.status === 401)).toHaveLength(1);
  });

  it('rotation: each refresh spends the current refresh token and stores the next one', async () => {
    const used: string[] = [];
    for (let i = 0; i < 3; i++) {
      used.push(storedToken().refreshToken as string);
      fake.revokeAccessToken(oauth.lastIssued()!.accessToken);
      const r = await runCli(['status', '--check', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(new Set(used).size).toBe(3);
    expect(refreshes().map((q) => q.status)).toEqual([200, 200, 200]);
  });

  it('two processes that find an expired token at once spend the refresh token once', async () => {
    ageStoredToken();
    // A is held inside its refresh (lock taken, request at Fathom) until B has read the same old
    // token and is waiting for the lock: the overlap is certain, not left to timing.
    const hold = oauth.holdNextRefresh();
    const debugEnv = { ...env, FATHOM_SYNC_DEBUG: '1' };
    const first = startLiveCli(['status', '--check', '--json'], debugEnv);
    await hold.arrived;
    const second = startLiveCli(['status', '--check', '--json'], debugEnv);
    await second.stderrMatch(/debug: waiting for another process to finish renewing the OAuth token/);
    hold.release();
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(refreshes()).toEqual([expect.objectContaining({ status: 200 })]);
    expect(JSON.parse(a.stdout).check.ok).toBe(true);
    expect(JSON.parse(b.stdout).check.ok).toBe(true);
    expect(fs.existsSync(path.join(env.FATHOM_SYNC_HOME!, 'state', 'token-refresh.lock'))).toBe(false);
  });

  it('takes over a refresh lock left by a dead process', async () => {
    ageStoredToken();
    const lock = path.join(env.FATHOM_SYNC_HOME!, 'state', 'token-refresh.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), startedAt: Date.now(), nonce: 'dead' }));
    const r = await runCli(['status', '--check'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(refreshes()).toHaveLength(1);
  });

  it('a revoked refresh token ends with exit 4 and "run fathom-sync connect"', async () => {
    oauth.revokeRefreshTokens();
    fake.revokeAccessToken(oauth.lastIssued()!.accessToken);
    const r = await runCli(['run', '--last', '5'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^fathom-sync: Fathom refused to renew the access token \(invalid_grant: The refresh token is invalid or was already used\)/m);
    expect(r.stderr).toMatch(/fix: run fathom-sync connect/);
  });

  it('a refresh rejected with a bare 401 also means "connect again" (exit 4)', async () => {
    ageStoredToken();
    oauth.failNextToken({ status: 401, text: 'Unauthorized' });
    const r = await runCli(['run', '--last', '5'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/fix: run fathom-sync connect/);
  });
});

/**
 * What an OAuth sync can know: the API-key truth, with invitees' matched_speaker_display_name
 * taken from the transcript's speakers (matched_calendar_invitee_email) instead.
 */
function underOAuth(m: Record<string, any>): Record<string, any> {
  const names = new Map<string, string>();
  for (const seg of m.transcript ?? []) {
    const email = seg.speaker?.matched_calendar_invitee_email;
    if (email && !names.has(email.toLowerCase())) names.set(email.toLowerCase(), seg.speaker.display_name);
  }
  return {
    ...m,
    calendar_invitees: m.calendar_invitees.map((i: any) => ({ ...i, matched_speaker_display_name: (i.email && names.get(i.email.toLowerCase())) ?? null })),
  };
}

describe('the OAuth data path of run', () => {
  it('lists without summary/transcript, fetches them per recording, and stores what an API key would', async () => {
    const r = await runCli(['run', '--all', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const meetings = fake.requests.filter((q) => q.path === '/meetings');
    expect(meetings.length).toBeGreaterThan(0);
    for (const q of meetings) {
      expect(q.auth).toBe('bearer');
      expect(q.query.get('include_summary')).toBeNull();
      expect(q.query.get('include_transcript')).toBeNull();
      expect(q.status).toBe(200);
    }
    const truth = fake.meetings();
    const expected = truth.map(underOAuth);
    const summaries = fake.requests.filter((q) => /^\/recordings\/\d+\/summary$/.test(q.path));
    const transcripts = fake.requests.filter((q) => /^\/recordings\/\d+\/transcript$/.test(q.path));
    expect(summaries).toHaveLength(truth.length);
    expect(transcripts).toHaveLength(truth.length);
    expectDatabaseMatches(dbPath(env), expected);

    // Second run: content already complete is not fetched again; incomplete content is.
    const incomplete = truth.filter((m) => !(m.default_summary && m.transcript?.length)).length;
    fake.resetStats();
    const again = await runCli(['run', '--all', '--json'], env);
    expect(again.code).toBe(0);
    expect(fake.requests.filter((q) => q.path.startsWith('/recordings/'))).toHaveLength(2 * incomplete);
    expectDatabaseMatches(dbPath(env), expected);

    // The same database as with an API key, except invitees' matched speaker names that the
    // transcript cannot tell (Fathom sends them only with include_transcript, refused under OAuth).
    const keyHome = tempHome();
    try {
      const keyEnv = { ...keyHome.baseEnv, FATHOM_API_URL: fake.url, FATHOM_API_KEY: 'fake-api-key' };
      expect((await runCli(['run', '--all'], keyEnv)).code).toBe(0);
      expectDatabaseMatches(dbPath(keyEnv), truth);
    } finally {
      keyHome.cleanup();
    }
  });

  it('a recording whose summary or transcript cannot be used is stored without them and skipped, not fatal', async () => {
    const truth = fake.meetings();
    const complete = truth.filter((m) => isContentComplete(MeetingSchema.parse(m)));
    expect(complete.length).toBeGreaterThanOrEqual(2);
    const [refused, malformed] = [complete[0]!.recording_id, complete[1]!.recording_id];
    // One summary refused with a 404 (the fault is used up by this run).
    fake.injectFaults({ kind: 'status', status: 404, count: 1, path: `/recordings/${refused}/summary` });
    // One transcript whose body fails the schema (text must be a string). Custom routes cannot be
    // removed, so once `broken` is off this one answers what the real route would.
    let broken = true;
    fake.addRoute('GET', `${new URL(fake.url).pathname}/recordings/${malformed}/transcript`, (_req, res) => {
      const body = broken ? { transcript: [{ speaker: { display_name: 'X' }, text: 42, timestamp: '00:00:01' }] } : { transcript: fake.meeting(malformed)!.transcript };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    const contentComplete = () => new Map(query<{ recording_id: number; content_complete: number }>(dbPath(env), 'SELECT recording_id, content_complete FROM meetings').map((r) => [r.recording_id, r.content_complete]));
    // Complete as the store judges it (a pending meeting is not, even without a fault).
    const isComplete = (m: (typeof truth)[number]) => (isContentComplete(MeetingSchema.parse(m)) ? 1 : 0);
    try {
      const r = await runCli(['run', '--all', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', items_skipped: 2, meetings_seen: truth.length, meetings_new: truth.length });
      expect(r.stderr).toMatch(new RegExp(`warning: skipped recording ${refused}: .*404`));
      expect(r.stderr).toMatch(new RegExp(`warning: skipped recording ${malformed}: .*schema`));
      const skipped = query<{ recording_id: number; reason: string }>(dbPath(env), 'SELECT recording_id, reason FROM skipped_items ORDER BY rowid');
      expect(skipped).toEqual([
        { recording_id: refused, reason: expect.stringMatching(new RegExp(`^summary or transcript not \\(re\\)fetched; a later run that covers this meeting tries again: Fathom answered 404 for /recordings/${refused}/summary`)) },
        { recording_id: malformed, reason: expect.stringMatching(new RegExp(`^summary or transcript not \\(re\\)fetched; a later run that covers this meeting tries again: Fathom answered /recordings/${malformed}/transcript with a transcript that does not fit the schema \\(transcript\\.0\\.text: `)) },
      ]);
      // Both meetings are stored as the list gave them; every other meeting is as complete as Fathom has it.
      const first = contentComplete();
      expect(first.size).toBe(truth.length);
      for (const m of truth) expect(first.get(m.recording_id), String(m.recording_id)).toBe([refused, malformed].includes(m.recording_id) ? 0 : isComplete(m));
      const has = (id: number) => query(dbPath(env), 'SELECT has_summary, has_transcript FROM meetings WHERE recording_id = ?', id)[0];
      expect(has(refused)).toEqual({ has_summary: 0, has_transcript: 0 });
      // The summary arrived before the transcript failed: it is kept.
      expect(has(malformed)).toEqual({ has_summary: 1, has_transcript: 0 });
      expect(query(dbPath(env), "SELECT status, items_skipped FROM sync_runs ORDER BY id DESC LIMIT 1")).toEqual([{ status: 'ok', items_skipped: 2 }]);

      // A refused call on a later run never erases what an earlier run stored.
      fake.injectFaults({ kind: 'status', status: 404, count: 1, path: `/recordings/${malformed}/summary` });
      const refusedAgain = await runCli(['run', '--all', '--json'], env);
      expect(refusedAgain.code, refusedAgain.stderr).toBe(0);
      expect(has(malformed)).toEqual({ has_summary: 1, has_transcript: 0 });

      // Once Fathom answers properly, the next run completes them.
      fake.clearFaults();
      broken = false;
      const again = await runCli(['run', '--all', '--json'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ status: 'ok', items_skipped: 0 });
      const second = contentComplete();
      expect(second.get(refused)).toBe(1);
      expect(second.get(malformed)).toBe(1);
      for (const m of truth) expect(second.get(m.recording_id), String(m.recording_id)).toBe(isComplete(m));
      expectDatabaseMatches(dbPath(env), truth.map(underOAuth));
    } finally {
      fake.clearFaults();
      broken = false;
    }
  });

  it('a 5xx on a recording is still fatal once retries are spent (exit 5)', async () => {
    fake.injectFaults({ kind: 'status', status: 503, count: 100, path: '/recordings/' });
    try {
      const r = await runCli(['run', '--all', '--json'], env);
      expect(r.code, r.stderr).toBe(5);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'failed', exit_code: 5 });
      expect(query(dbPath(env), 'SELECT COUNT(*) n FROM skipped_items')).toEqual([{ n: 0 }]);
      expect(query(dbPath(env), "SELECT status FROM sync_runs ORDER BY id DESC LIMIT 1")).toEqual([{ status: 'failed' }]);
    } finally {
      fake.clearFaults();
    }
  });
});
