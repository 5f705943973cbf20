import fs from 'node:fs';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeFathom } from '../../src/fake-server/server.js';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { AUTHORIZE_URL_PATTERN, authorizeRedirect, connectEnv, connectFiles, freePort, load, playBrowser, startLiveCli, startOAuthFake, withParam } from '../helpers/connect.js';

/**
 * `connect` end to end: the built CLI against the fake Fathom's OAuth endpoints on loopback; the
 * test reads the printed authorize URL from stderr and plays the browser with fetch. The
 * credential store is the plain file (FATHOM_SYNC_TOKEN_STORE=file) here; the keychain has its
 * own tests with a real Secret Service.
 */

let fake: FakeFathom;
let oauth: FakeOAuth;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;
let port: number;

beforeAll(async () => {
  ({ fake, oauth } = await startOAuthFake({ oauth: { enforcePkce: true } }));
});
afterAll(() => fake.close());
beforeEach(async () => {
  home = tempHome();
  port = await freePort();
  oauth.setRedirectUris([`http://127.0.0.1:${port}/callback`]);
  oauth.setDeny(false);
  oauth.setExpiresIn(3600);
  env = connectEnv(home.baseEnv, fake, oauth);
});
afterEach(() => home.cleanup());

const { credentialsFile, readConfig, nothingStored } = connectFiles(() => env);
const connectArgs = () => ['connect', '--no-browser', '--port', String(port)];

describe('connect (OAuth, loopback redirect)', () => {
  it('connects: PKCE + state + exact redirect URI, form-encoded exchange, one check call, token saved 0600', async () => {
    const cli = startLiveCli(connectArgs(), env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    const sent = new URL(url!).searchParams;
    expect(Object.fromEntries(sent)).toMatchObject({
      response_type: 'code',
      client_id: oauth.clientId,
      redirect_uri: `http://127.0.0.1:${port}/callback`,
      scope: 'public_api',
      code_challenge_method: 'S256',
    });
    expect(sent.get('state')).toMatch(/^[\w-]{32}$/);
    expect(sent.get('code_challenge')).toMatch(/^[\w-]{43}$/);

    const page = await playBrowser(url!);
    expect(page.status).toBe(200);
    expect(page.html).toContain('fathom-sync is connected');
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Connected to Fathom with OAuth \(app fake-client-id\)\. Fathom shows this credential 10 recent meetings, most recorded by /);
    expect(r.stdout).toContain(`Credential stored in the file ${credentialsFile()}`);
    expect(r.stderr).toMatch(/warning: credentials will be saved in PLAIN TEXT/);

    expect(oauth.tokenRequests.at(-1)).toMatchObject({ grantType: 'authorization_code', status: 200, contentType: 'application/x-www-form-urlencoded' });
    // The check call used the new token, without summary/transcript flags.
    const check = fake.requests.filter((q) => q.path === '/meetings').at(-1)!;
    expect(check.auth).toBe('bearer');
    expect(check.query.get('include_transcript')).toBeNull();

    expect(fs.statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8')) as Record<string, string>;
    expect(JSON.parse(stored.default!)).toMatchObject({ kind: 'oauth', accessToken: oauth.lastIssued()!.accessToken, refreshToken: oauth.lastIssued()!.refreshToken, clientId: oauth.clientId });
    expect(stored['default:oauth-client-secret']).toBe(oauth.clientSecret);
    expect(readConfig()).toMatchObject({ credentials: { default: { backend: 'file', kind: 'oauth' } }, oauth: { clientId: oauth.clientId, port } });
    expect(JSON.stringify(readConfig())).not.toContain(oauth.lastIssued()!.accessToken);

    // The server is gone after the answer.
    await expect(fetch(`http://127.0.0.1:${port}/callback`)).rejects.toThrow();
  });

  it('reads the client secret from piped stdin when FATHOM_CLIENT_SECRET is not set', async () => {
    const { FATHOM_CLIENT_SECRET: _drop, ...noSecretEnv } = env;
    const cli = startLiveCli(connectArgs(), noSecretEnv);
    cli.child.stdin!.end(`${oauth.clientSecret}\n`);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    await playBrowser(url!);
    expect((await cli.done).code).toBe(0);
  });

  it('error=access_denied: one clear line, exit 4, nothing saved', async () => {
    oauth.setDeny(true);
    const cli = startLiveCli(connectArgs(), env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    const page = await playBrowser(url!);
    expect(page.html).toContain('Fathom did not grant access');
    const r = await cli.done;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^fathom-sync: access was denied in the browser \(access_denied: The user denied the request\); nothing was saved$/m);
    nothingStored();
  });

  it('a wrong state (on a code or an error) is answered 400 and the login goes on with the right answer', async () => {
    const cli = startLiveCli(connectArgs(), env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    const strays = [
      `http://127.0.0.1:${port}/callback?code=forged&state=not-the-state`,
      `http://127.0.0.1:${port}/callback?error=access_denied&state=not-the-state`,
      `http://127.0.0.1:${port}/callback?code=forged`,
    ];
    for (const stray of strays) expect((await load(stray)).status).toBe(400);
    expect((await load(`http://127.0.0.1:${port}/favicon.ico`)).status).toBe(404);
    expect((await load(`http://127.0.0.1:${port}/`)).status).toBe(404);
    await cli.stderrMatch(/ignored a request .* it carries no state; still waiting/);

    const page = await playBrowser(url!);
    expect(page.status).toBe(200);
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/its state does not match this login; still waiting/);
    expect(oauth.grants().authorization_code).toBeGreaterThan(0);
  });

  it('escapes every echoed value in the callback page', async () => {
    const cli = startLiveCli(connectArgs(), env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    const state = new URL(url!).searchParams.get('state')!;
    const evil = '<script>alert(1)</script>"\'&';
    const page = await load(`http://127.0.0.1:${port}/callback?error=access_denied&error_description=${encodeURIComponent(evil)}&state=${encodeURIComponent(state)}`);
    expect(page.html).not.toContain('<script>');
    expect(page.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;');
    expect((await cli.done).code).toBe(4);
  });

  it('times out (--timeout): exit 4, the server closed, nothing saved', async () => {
    const r = await runCli([...connectArgs(), '--timeout', '1'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^fathom-sync: no answer from the browser within 1 s; nothing was saved$/m);
    await expect(fetch(`http://127.0.0.1:${port}/callback`)).rejects.toThrow();
    nothingStored();
  });

  it('port already in use: a readable error before any URL is printed', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = await runCli(connectArgs(), env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^fathom-sync: port ${port} on 127\\.0\\.0\\.1 is already in use`, 'm'));
      expect(r.stderr).toMatch(/fix: .*--port/);
      expect(r.stderr).not.toMatch(AUTHORIZE_URL_PATTERN);
      nothingStored();
    } finally {
      blocker.close();
    }
  });

  it('--manual: the redirected address pasted on stdin (blank lines skipped)', async () => {
    const cli = startLiveCli([...connectArgs(), '--manual'], env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    const location = await authorizeRedirect(url!);
    cli.child.stdin!.write('\n');
    cli.child.stdin!.end(`${location}\n`);
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Connected to Fathom with OAuth/);
    // --manual never listens.
    expect(r.stderr).not.toMatch(/Waiting up to/);
  });

  describe('--manual from piped stdin: a wrong paste ends the login at once, exit 4 with the reason, nothing saved', () => {
    const cases: [string, (location: URL) => string, RegExp][] = [
      ['not the address', () => 'not a url', /^fathom-sync: that is not the address the browser ended on \(it starts with http:\/\/127\.0\.0\.1:\d+\/callback, with code= and state=\); nothing was saved$/m],
      ['another login\'s state', (l) => withParam(l, 'state', 'from-another-login').href, /^fathom-sync: that address belongs to another login \(its state does not match this one\); nothing was saved$/m],
      ['an error=', (l) => withParam(withParam(l, 'error', 'access_denied'), 'code', null).href, /^fathom-sync: access was denied in the browser \(access_denied\); nothing was saved$/m],
      ['no code', (l) => withParam(l, 'code', null).href, /^fathom-sync: the pasted address has no authorization code; nothing was saved$/m],
    ];
    for (const [name, paste, message] of cases) {
      it(name, async () => {
        const cli = startLiveCli([...connectArgs(), '--manual'], env);
        const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
        const location = new URL(await authorizeRedirect(url!));
        cli.child.stdin!.end(`${paste(location)}\n${location.href}\n`);
        const r = await cli.done;
        expect(r.code).toBe(4);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toMatch(/fix: run fathom-sync connect/);
        expect(r.stderr).not.toContain(location.searchParams.get('code')!);
        nothingStored();
      });
    }
  });

  describe('token endpoint errors: one line each, nothing saved', () => {
    const cases: [string, Parameters<FakeOAuth['failNextToken']>[0], number, RegExp][] = [
      ['invalid_client', { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } }, 4, /^fathom-sync: Fathom rejected the client id or client secret \(invalid_client: Client authentication failed\)$/m],
      ['invalid_grant', { status: 400, body: { error: 'invalid_grant' } }, 4, /^fathom-sync: Fathom rejected the authorization code \(invalid_grant\): it expired, was already used, or the redirect URI differs$/m],
      ['a server error', { status: 503, text: 'Service Unavailable' }, 5, /^fathom-sync: the OAuth token endpoint .* failed \(503\)$/m],
      ['an HTML page', { status: 200, text: '<html>login</html>', contentType: 'text/html' }, 1, /^fathom-sync: the OAuth token endpoint .* answered with an HTML page$/m],
      ['415', { status: 415, text: 'Unsupported Media Type' }, 1, /refused the request format \(415\)/],
    ];
    for (const [name, reply, code, message] of cases) {
      it(name, async () => {
        oauth.failNextToken(reply);
        const cli = startLiveCli(connectArgs(), env);
        const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
        const page = await playBrowser(url!);
        expect(page.html).toContain('could not connect');
        const r = await cli.done;
        expect(r.code).toBe(code);
        expect(r.stderr).toMatch(message);
        nothingStored();
      });
    }

    it('a wrong client secret (the real invalid_client answer)', async () => {
      const cli = startLiveCli(connectArgs(), { ...env, FATHOM_CLIENT_SECRET: 'not-the-secret' });
      const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
      await playBrowser(url!);
      const r = await cli.done;
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/invalid_client/);
      expect(r.stderr + r.stdout).not.toContain('not-the-secret');
      nothingStored();
    });

    it('a redirect URI the app does not have registered: Fathom shows an error page, connect times out', async () => {
      oauth.setRedirectUris(['http://127.0.0.1:1/callback']);
      const cli = startLiveCli([...connectArgs(), '--timeout', '2'], env);
      const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
      const res = await fetch(url!, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/redirect_uri does not match/);
      expect((await cli.done).code).toBe(4);
      nothingStored();
    });
  });
});

describe('token URL candidates (Fathom has two hosts; one may answer with its web app)', () => {
  for (const kind of ['redirect', 'html'] as const) {
    it(`a first candidate that answers with ${kind === 'redirect' ? 'a redirect to a login page' : 'an HTML page'} is passed over, and the one that worked is remembered`, async () => {
      const cli = startLiveCli(connectArgs(), { ...env, FATHOM_OAUTH_TOKEN_URL: `${oauth.wrongTokenUrl(kind)} ${oauth.tokenUrl}` });
      await playBrowser((await cli.stderrMatch(AUTHORIZE_URL_PATTERN))[1]!);
      const r = await cli.done;
      expect(r.code).toBe(0);
      expect(readConfig().oauth.tokenUrl).toBe(oauth.tokenUrl);
    });
  }

  it('when both answer like no token endpoint: exit 1, the error names both URLs and what each answered, nothing saved', async () => {
    const cli = startLiveCli(connectArgs(), { ...env, FATHOM_OAUTH_TOKEN_URL: `${oauth.wrongTokenUrl('redirect')} ${oauth.wrongTokenUrl('html-error')}` });
    const page = await playBrowser((await cli.stderrMatch(AUTHORIZE_URL_PATTERN))[1]!);
    expect(page.html).toContain('could not connect');
    const r = await cli.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^fathom-sync: no OAuth token endpoint answered like one: http:\/\/127\.0\.0\.1:\d+\/__fake\/wrong-host\/redirect\/oauth2\/token answered with a redirect \(302\) to http:\/\/127\.0\.0\.1:\d+\/login; http:\/\/127\.0\.0\.1:\d+\/__fake\/wrong-host\/html-error\/oauth2\/token answered with an HTML page \(403\)$/m,
    );
    expect(r.stderr).toMatch(/fix: set FATHOM_OAUTH_TOKEN_URL/);
    nothingStored();
  });
});

describe('connect --api-key', () => {
  it('reads the key from stdin, checks it with one call, saves it', async () => {
    const r = await runCli(['connect', '--api-key'], env, { input: 'fake-api-key\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Connected to Fathom with an API key\. Fathom shows this credential 10 recent meetings/);
    expect(readConfig().credentials.default).toMatchObject({ backend: 'file', kind: 'api_key' });
    const status = await runCli(['status', '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ connected: true, auth_kind: 'api_key', credential_store: 'file' });
    const run = await runCli(['run', '--last', '3', '--json'], env);
    expect(run.code).toBe(0);
    expect(fake.requests.at(-1)!.auth).toBe('api_key');
  });
});

describe('stdin', () => {
  it('a pipe left open after the key does not keep connect running', async () => {
    const cli = startLiveCli(['connect', '--api-key'], env);
    cli.child.stdin!.write('fake-api-key\n'); // never ended
    const r = await cli.done;
    expect(r.code).toBe(0);
    cli.child.stdin!.destroy();
  });
});

describe('connect again after the app secret was rotated in Fathom', () => {
  it('says the saved secret was refused and how to give the current one', async () => {
    const first = startLiveCli(connectArgs(), env);
    await playBrowser((await first.stderrMatch(AUTHORIZE_URL_PATTERN))[1]!);
    expect((await first.done).code).toBe(0);
    // The saved secret no longer matches the app's (rotated in Fathom since).
    const stored = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8')) as Record<string, string>;
    stored['default:oauth-client-secret'] = 'secret-rotated-away';
    fs.writeFileSync(credentialsFile(), JSON.stringify(stored));

    const { FATHOM_CLIENT_SECRET: _drop, ...noSecret } = env;
    const again = startLiveCli(connectArgs(), noSecret);
    again.child.stdin!.end();
    await playBrowser((await again.stderrMatch(AUTHORIZE_URL_PATTERN))[1]!);
    const r = await again.done;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Fathom rejected the client id or client secret \(invalid_client.*\), using the client secret saved by an earlier connect/);
    expect(r.stderr).toMatch(/fix: run fathom-sync connect in a terminal and type the app's current client secret, or set FATHOM_CLIENT_SECRET/);
    expect(r.stderr).not.toContain('secret-rotated-away');
  });
});

describe('bad input: a clear error, exit 2, nothing stored, no secret echoed', () => {
  const bad: [string, string[], string | undefined, RegExp][] = [
    ['an empty API key', ['connect', '--api-key'], '\n', /the API key is empty; nothing was saved/],
    ['a wrong API key', ['connect', '--api-key'], 'wrong-key-123\n', /Fathom rejected this API key \(401\); nothing was saved/],
    ['--port 0', ['connect', '--port', '0'], undefined, /--port 0 is not allowed/],
    ['--port 99999', ['connect', '--port', '99999'], undefined, /--port must be a number from 1 to 65535 \(got 99999\)/],
    ['--port abc', ['connect', '--port', 'abc'], undefined, /--port must be a number from 1 to 65535 \(got "abc"\)/],
    ['--timeout x1', ['connect', '--timeout', 'x1'], undefined, /--timeout must be a number of seconds/],
    ['an API key as a flag value', ['connect', '--api-key', 'secret-key-on-argv'], undefined, /the API key is never taken from the command line/],
    ['an API key as --api-key=', ['connect', '--api-key=secret-key-on-argv'], undefined, /the API key is never taken from the command line/],
    ['a client secret as a flag', ['connect', '--client-secret', 'secret-on-argv'], undefined, /--client-secret is not accepted: secrets never go on the command line/],
    ['a token as a flag', ['connect', '--token=secret-on-argv'], undefined, /--token is not accepted/],
    ['a stray argument', ['connect', 'secret-on-argv'], undefined, /connect takes no arguments/],
    ['a mistyped flag with a value', ['connect', '--key=secret-on-argv'], undefined, /^fathom-sync: unknown option '--key=\.\.\.'/],
  ];
  for (const [name, args, input, message] of bad) {
    it(name, async () => {
      const r = await runCli(args, env, input === undefined ? {} : { input });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(/secret-key-on-argv|secret-on-argv|wrong-key-123/);
      nothingStored();
    });
  }

  it('a missing client id', async () => {
    const { FATHOM_CLIENT_ID: _drop, ...noClient } = env;
    const r = await runCli(['connect', '--no-browser'], noClient);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no OAuth client id: pass --client-id or set FATHOM_CLIENT_ID/);
    nothingStored();
  });

  it('a missing client secret with no terminal to ask', async () => {
    const { FATHOM_CLIENT_SECRET: _drop, ...noSecret } = env;
    const r = await runCli(connectArgs(), noSecret, { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no client secret: set FATHOM_CLIENT_SECRET, pipe it on stdin/);
    nothingStored();
  });
});

describe('connect --help', () => {
  it('prints the exact redirect URI to register', async () => {
    const r = await runCli(['connect', '--help'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Register this redirect URI in your Fathom app, exactly: http://127.0.0.1:38421/callback');
    expect(r.stdout).not.toMatch(/--client-secret|--token/);
  });
});
