import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeFathom } from '../../src/fake-server/server.js';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { AUTHORIZE_URL_PATTERN, freePort, oauthEnv, playBrowser, startLiveCli, startOAuthFake } from '../helpers/connect.js';
import { expectDatabaseMatches } from '../helpers/truth.js';

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
    const [a, b] = await Promise.all([runCli(['status', '--check', '--json'], env), runCli(['status', '--check', '--json'], env)]);
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
});
