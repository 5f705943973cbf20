import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeychainStore } from '../../src/auth/keychain-store.js';
import type { FakeFathom } from '../../src/fake-server/server.js';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import { REPO, runCli, tempHome, type CliResult } from '../helpers/cli.js';
import { AUTHORIZE_URL_PATTERN, authorizeRedirect, freePort, load, oauthEnv, startLiveCli, startOAuthFake } from '../helpers/connect.js';
import { need } from '../helpers/capabilities.js';
import { startSecretService, type SecretService } from '../helpers/secret-service.js';

/**
 * The OS keychain against a real Secret Service (gnome-keyring on a private D-Bus session), the
 * consent rule and file fallback without D-Bus, a hung keychain, and the leak check: every output
 * and file of a full connect + sync + refresh + disconnect is searched for the secrets used.
 */

const WORKER = path.join(REPO, 'dist', 'auth', 'keychain-worker.js');
const API_KEY = 'fk-live-api-key-DO-NOT-LEAK-41c9e2';
const CLIENT_SECRET = 'fake-client-secret-DO-NOT-LEAK-7f3a';

const secrets = need('secret-service');
let secretService: SecretService | undefined;
let fake: FakeFathom;
let oauth: FakeOAuth;

beforeAll(async () => {
  if (!secrets.skip) secretService = await startSecretService();
  ({ fake, oauth } = await startOAuthFake({ fake: { meetingCount: 8, apiKeys: [API_KEY], rateLimit: false }, oauth: { clientSecret: CLIENT_SECRET } }));
});
afterAll(async () => {
  await fake.close();
  await secretService?.stop();
});

describe('KeychainStore against a real Secret Service', () => {
  const store = () => new KeychainStore({ env: { PATH: process.env.PATH, ...secretService!.env }, service: 'fathom-sync-test', workerScript: WORKER });

  it.skipIf(secrets.skip)(secrets.title('stores, reads, replaces and deletes'), async () => {
    const s = store();
    await s.probe();
    expect(await s.get('profile-a')).toBeNull();
    await s.set('profile-a', 'first secret');
    expect(await s.get('profile-a')).toBe('first secret');
    await s.set('profile-a', 'second secret ✓ with unicode');
    expect(await s.get('profile-a')).toBe('second secret ✓ with unicode');
    await s.set('profile-b', 'other');
    expect(await s.delete('profile-a')).toBe(true);
    expect(await s.get('profile-a')).toBeNull();
    expect(await s.delete('profile-a')).toBe(false);
    expect(await s.get('profile-b')).toBe('other');
    await s.delete('profile-b');
    expect(s.describe()).toMatch(/^the OS keychain \((Secret Service|macOS Keychain|Windows Credential Manager), service "fathom-sync-test"\)$/);
  });

  it('keeps secrets off argv: the helper process gets them on stdin only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keychain-argv-'));
    try {
      const spy = path.join(dir, 'worker.mjs');
      const record = path.join(dir, 'argv.json');
      fs.writeFileSync(
        spy,
        `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv));\nprocess.stdin.resume();\nprocess.stdin.on('end', () => process.stdout.write(JSON.stringify({ ok: true, results: [true] })));\n`,
      );
      await new KeychainStore({ env: { PATH: process.env.PATH }, workerScript: spy }).set('acct', 'argv-canary-secret');
      const argv = fs.readFileSync(record, 'utf8');
      expect(argv).toContain('worker.mjs');
      expect(argv).not.toContain('argv-canary-secret');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a hung keychain (a bus that never answers) fails after the timeout instead of hanging', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hung-bus-'));
    const socket = path.join(dir, 'bus');
    const silent = net.createServer(() => {}).listen(socket);
    await new Promise((r) => silent.once('listening', r));
    try {
      const s = new KeychainStore({ env: { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}` }, timeoutMs: 1500, workerScript: WORKER });
      const started = Date.now();
      await expect(s.get('x')).rejects.toThrow(/no answer within 1500 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('connect without a reachable keychain: consent rule and file fallback', () => {
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = tempHome();
    // No DBUS_SESSION_BUS_ADDRESS: a cron job, an SSH session, a container.
    env = { ...home.baseEnv, FATHOM_API_URL: fake.url };
  });
  afterEach(() => home.cleanup());
  const credentialsFile = () => path.join(env.FATHOM_SYNC_HOME!, 'config', 'credentials.json');
  const configFile = () => path.join(env.FATHOM_SYNC_HOME!, 'config', 'config.json');

  it('without consent: exit 1, says why and how to allow a file, saves nothing', async () => {
    const r = await runCli(['connect', '--api-key'], env, { input: `${API_KEY}\n` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fathom-sync: the OS keychain cannot be used: no D-Bus session bus .*; nothing was saved$/m);
    expect(r.stderr).toMatch(/fix: .*--insecure-storage or FATHOM_SYNC_TOKEN_STORE=file/);
    expect(fs.existsSync(credentialsFile())).toBe(false);
    expect(fs.existsSync(configFile())).toBe(false);
    // The key was never even asked for (the store is probed first).
    expect(fake.requests.filter((q) => q.auth === 'api_key')).toEqual([]);
  });

  it('--insecure-storage: a loud warning, a 0600 file, recorded as the backend, used by later runs', async () => {
    const r = await runCli(['connect', '--api-key', '--insecure-storage'], env, { input: `${API_KEY}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: credentials will be saved in PLAIN TEXT in .*credentials\.json \(mode 0600\), because of --insecure-storage/);
    expect(fs.statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(configFile(), 'utf8')).credentials.default).toMatchObject({ backend: 'file', kind: 'api_key' });
    const run = await runCli(['run', '--last', '2'], env);
    expect(run.code, run.stderr).toBe(0);
  });

  it('FATHOM_SYNC_TOKEN_STORE=file is consent too; FATHOM_SYNC_TOKEN_STORE=keychain forbids the file', async () => {
    const file = await runCli(['connect', '--api-key'], { ...env, FATHOM_SYNC_TOKEN_STORE: 'file' }, { input: `${API_KEY}\n` });
    expect(file.code, file.stderr).toBe(0);
    expect(file.stderr).toMatch(/because of FATHOM_SYNC_TOKEN_STORE=file/);
    const keychainOnly = await runCli(['connect', '--api-key', '--insecure-storage'], { ...env, FATHOM_SYNC_TOKEN_STORE: 'keychain' }, { input: `${API_KEY}\n` });
    expect(keychainOnly.code).toBe(1);
    expect(keychainOnly.stderr).toMatch(/FATHOM_SYNC_TOKEN_STORE=keychain forbids a file; nothing was saved/);
    const bad = await runCli(['connect', '--api-key'], { ...env, FATHOM_SYNC_TOKEN_STORE: 'vault' }, { input: `${API_KEY}\n` });
    expect(bad.code).toBe(2);
  });

  it.skipIf(secrets.skip)(secrets.title('a credential recorded in the keychain that cannot be reached: exit 4 with the reason, not "not connected"'), async () => {
    const connected = await runCli(['connect', '--api-key'], { ...env, ...secretService!.env }, { input: `${API_KEY}\n` });
    expect(connected.code, connected.stderr).toBe(0);
    const r = await runCli(['run', '--last', '2'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot read the Fathom credential from the OS keychain .*: no D-Bus session bus/);
    expect(r.stderr).toMatch(/DBUS_SESSION_BUS_ADDRESS/);
    const status = await runCli(['status', '--json'], env);
    expect(status.code).toBe(4);
    expect(JSON.parse(status.stdout)).toMatchObject({ connected: false, credential_store: 'keychain', problem: expect.stringMatching(/no D-Bus session bus/) });
    expect((await runCli(['disconnect'], { ...env, ...secretService!.env })).code).toBe(0);
  });
});

describe.skipIf(secrets.skip)(secrets.title('secrets never leak: a full connect + sync + refresh + disconnect, every output and file searched'), () => {
  it('finds none of the secrets anywhere but the keychain', async () => {
    const home = tempHome();
    try {
      const port = await freePort();
      oauth.setRedirectUris([`http://127.0.0.1:${port}/callback`]);
      const env: NodeJS.ProcessEnv = { ...home.baseEnv, ...secretService!.env, ...oauthEnv(fake, oauth), FATHOM_SYNC_DEBUG: '1' };
      const outputs: CliResult[] = [];
      const codes: string[] = [];

      // OAuth connect, the secret piped on stdin; the token lands in the keychain.
      const cli = startLiveCli(['connect', '--no-browser', '--port', String(port)], env);
      cli.child.stdin!.end(`${CLIENT_SECRET}\n`);
      const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
      const location = await authorizeRedirect(url!);
      codes.push(new URL(location).searchParams.get('code')!);
      expect((await load(location)).status).toBe(200);
      outputs.push(await cli.done);
      expect(outputs.at(-1)!.code, outputs.at(-1)!.stderr).toBe(0);
      expect(outputs.at(-1)!.stdout).toMatch(/Credential stored in the OS keychain \(Secret Service/);

      const step = async (args: string[], input?: string) => {
        const r = await runCli(args, env, input === undefined ? {} : { input });
        outputs.push(r);
        return r;
      };
      expect((await step(['run', '--all'])).code).toBe(0);
      fake.revokeAccessToken(oauth.lastIssued()!.accessToken); // forces a refresh after a 401
      expect((await step(['run', '--last', '3', '--json'])).code).toBe(0);
      expect(oauth.grants().refresh_token).toBeGreaterThan(0);
      expect((await step(['status', '--check', '--json'])).code).toBe(0);
      expect((await step(['status'])).code).toBe(0);
      // A failing refresh prints an error: it must not carry a token either.
      oauth.revokeRefreshTokens();
      fake.revokeAccessToken(oauth.lastIssued()!.accessToken);
      expect((await step(['run', '--last', '1'])).code).toBe(4);
      expect((await step(['disconnect', '--forget-app'])).code).toBe(0);
      // The API key path too, including a rejected key.
      expect((await step(['connect', '--api-key'], 'wrong-key-DO-NOT-LEAK-000\n')).code).toBe(2);
      expect((await step(['connect', '--api-key'], `${API_KEY}\n`)).code).toBe(0);
      expect((await step(['run', '--last', '2'])).code).toBe(0);
      expect((await step(['disconnect', '--purge', '--yes'])).code).toBe(0);

      const secrets = [CLIENT_SECRET, API_KEY, 'wrong-key-DO-NOT-LEAK-000', ...codes, ...oauth.issuedSecrets()];
      expect(secrets.length).toBeGreaterThan(6);
      const leaks: string[] = [];
      outputs.forEach((o, i) => {
        for (const s of secrets) if (o.stdout.includes(s) || o.stderr.includes(s)) leaks.push(`output of step ${i} contains ${s.slice(0, 12)}...`);
      });
      // Every file the CLI wrote (config, database incl. WAL, logs, locks), and the keyring's
      // own files, which hold the secrets only encrypted.
      for (const root of [home.home, secretService!.home]) {
        for (const file of walk(root)) {
          const bytes = fs.readFileSync(file).toString('latin1');
          for (const s of secrets) if (bytes.includes(s)) leaks.push(`${file} contains ${s.slice(0, 12)}...`);
        }
      }
      expect(leaks).toEqual([]);
      expect(walk(home.home).length).toBeGreaterThan(0);
    } finally {
      home.cleanup();
    }
  });
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
