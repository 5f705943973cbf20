import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeFathom } from '../../src/fake-server/server.js';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { AUTHORIZE_URL_PATTERN, freePort, oauthEnv, playBrowser, startLiveCli, startOAuthFake } from '../helpers/connect.js';

/** `status` (exit 4 when not connected, --json) and `disconnect` (--forget-app, --purge). */

let fake: FakeFathom;
let oauth: FakeOAuth;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ({ fake, oauth } = await startOAuthFake({ fake: { meetingCount: 6, rateLimit: false } }));
});
afterAll(() => fake.close());
beforeEach(() => {
  home = tempHome();
  env = { ...home.baseEnv, ...oauthEnv(fake, oauth), FATHOM_CLIENT_SECRET: oauth.clientSecret, FATHOM_SYNC_TOKEN_STORE: 'file' };
});
afterEach(() => home.cleanup());

const configFile = () => path.join(env.FATHOM_SYNC_HOME!, 'config', 'config.json');
const credentialsFile = () => path.join(env.FATHOM_SYNC_HOME!, 'config', 'credentials.json');
const status = async (extra: string[] = []) => {
  const r = await runCli(['status', '--json', ...extra], env);
  return { code: r.code, report: JSON.parse(r.stdout) as Record<string, any>, stderr: r.stderr };
};

async function connectOAuth(): Promise<void> {
  const port = await freePort();
  oauth.setRedirectUris([`http://127.0.0.1:${port}/callback`]);
  const cli = startLiveCli(['connect', '--no-browser', '--port', String(port)], env);
  const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
  await playBrowser(url!);
  expect((await cli.done).code).toBe(0);
}

describe('status', () => {
  it('not connected: exit 4, says how to connect', async () => {
    const r = await runCli(['status'], env);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^Connected: {3}no$/m);
    expect(r.stdout).toMatch(/Database: {4}.*\(not created yet\)/);
    expect(r.stdout).toMatch(/Run fathom-sync connect/);
    const j = await status();
    expect(j.code).toBe(4);
    expect(j.report).toMatchObject({ connected: false, auth_kind: null, credential_store: null, database_exists: false });
  });

  it('FATHOM_API_KEY: connected through the environment', async () => {
    const r = await runCli(['status', '--json'], { ...env, FATHOM_API_KEY: 'fake-api-key' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ connected: true, auth_kind: 'api_key', credential_store: 'environment' });
    expect(r.stdout).not.toContain('fake-api-key');
  });

  it('OAuth: kind, store, expiry, database size and last sync; --check makes one call', async () => {
    await connectOAuth();
    expect((await runCli(['run', '--all'], env)).code).toBe(0);
    const j = await status();
    expect(j.code).toBe(0);
    expect(j.report).toMatchObject({
      connected: true,
      auth_kind: 'oauth',
      credential_store: 'file',
      oauth_client_id: oauth.clientId,
      database: dbPath(env),
      database_exists: true,
      meeting_count: 6,
      last_run: { status: 'ok' },
      check: null,
    });
    expect(Math.abs(Date.parse(j.report.token_expires_at) - oauth.lastIssued()!.expiresAt)).toBeLessThan(5000);
    expect(Date.parse(j.report.last_sync_at)).toBeGreaterThan(Date.now() - 60_000);
    const text = await runCli(['status'], env);
    expect(text.stdout).toMatch(/^Connected: {3}yes, with OAuth \(app fake-client-id\)$/m);
    expect(text.stdout).toMatch(/^Token: {7}valid until .* \(renews itself\)$/m);
    expect(text.stdout).toMatch(/^Database: {4}.* \(6 meetings\)$/m);
    fake.resetStats();
    const checked = await status(['--check']);
    expect(checked.report.check).toMatchObject({ ok: true });
    expect(fake.stats().requests).toBe(1);
  });
});

describe('disconnect', () => {
  it('removes the token, keeps the app unless --forget-app, and status then says not connected', async () => {
    await connectOAuth();
    const r = await runCli(['disconnect'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Disconnected: removed the credential from the file .*credentials\.json/);
    expect(r.stderr).toMatch(/Fathom has no revoke call/);
    expect((await status()).code).toBe(4);
    const stored = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8')) as Record<string, string>;
    expect(Object.keys(stored)).toEqual(['default:oauth-client-secret']);
    expect(JSON.parse(fs.readFileSync(configFile(), 'utf8'))).toMatchObject({ credentials: {}, oauth: { clientId: oauth.clientId } });

    // A later connect of the same app finds the stored client secret.
    const { FATHOM_CLIENT_SECRET: _drop, ...noSecret } = env;
    env = noSecret;
    await connectOAuth();

    const forget = await runCli(['disconnect', '--forget-app'], env);
    expect(forget.stdout).toMatch(/removed the credential and the OAuth app's client secret/);
    expect(fs.existsSync(credentialsFile())).toBe(false);
    expect(JSON.parse(fs.readFileSync(configFile(), 'utf8')).oauth).toBeUndefined();
    const again = await runCli(['disconnect'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No stored Fathom credential was found/);
  });

  it('--purge needs --yes without a terminal, then deletes the database', async () => {
    const keyEnv = { ...env, FATHOM_API_KEY: 'fake-api-key' };
    expect((await runCli(['run', '--last', '2'], keyEnv)).code).toBe(0);
    expect(fs.existsSync(dbPath(env))).toBe(true);
    const refused = await runCli(['disconnect', '--purge'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/add --yes; nothing was removed/);
    expect(fs.existsSync(dbPath(env))).toBe(true);
    const purged = await runCli(['disconnect', '--purge', '--yes'], keyEnv);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toMatch(/Deleted the database/);
    expect(purged.stderr).toMatch(/FATHOM_API_KEY is still set/);
    expect(fs.readdirSync(path.dirname(dbPath(env))).filter((f) => f.startsWith('fathom-sync.db'))).toEqual([]);
  });
});
