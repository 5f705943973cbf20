import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { AUTHORIZE_URL_PATTERN, authorizeRedirect, connectFiles, connectFixture, load, loadInsecureHttps, playBrowserInsecureHttps, startLiveCli, withParam } from '../helpers/connect.js';

/**
 * `connect --redirect-uri` end to end, for apps whose redirect URI is not plain
 * http://127.0.0.1: https on loopback (the test plays the browser that clicked through the
 * certificate warning) and an external https page (the address pasted on stdin, or handed over
 * to the loopback listener as the forwarder page does; the page itself runs in a real browser in
 * connect-forwarder.test.ts). The fake's OAuth accepts exactly the redirect URIs registered here.
 */

const EXTERNAL = 'https://forwarder.example.test/fathom-sync/oauth-forwarder.html';

const t = connectFixture({ oauth: { enforcePkce: true } });
const { credentialsFile, readConfig, nothingStored } = connectFiles(() => t.env);
/** Every file connect left under the throwaway home, as text. */
const everythingWritten = (): string =>
  (fs.readdirSync(t.home.home, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => fs.readFileSync(path.join(d.parentPath, d.name), 'utf8'))
    .join('\n');

describe('https loopback redirect URI: a certificate made for the one login', () => {
  for (const host of ['127.0.0.1', 'localhost']) {
    it(`https://${host}:PORT/PATH: the browser is warned once, the listener shows a fresh certificate for 127.0.0.1/localhost, connect completes`, async () => {
      const redirectUri = `https://${host}:${t.port}/oauth/fathom`;
      t.oauth.setRedirectUris([redirectUri]);
      const started = Date.now();
      const cli = startLiveCli(['connect', '--no-browser', '--redirect-uri', redirectUri], t.env);
      const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
      expect(new URL(url!).searchParams.get('redirect_uri')).toBe(redirectUri);
      const [, fingerprint] = await cli.stderrMatch(/Your browser will warn once .* fingerprint is ([0-9A-F:]{95});/s);

      const page = await playBrowserInsecureHttps(url!);
      expect(page.status).toBe(200);
      expect(page.html).toContain('fathom-sync is connected');
      const cert = page.certificate;
      expect(cert.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
      expect(cert.fingerprint256).toBe(fingerprint);
      // Fresh: made for this login (back-dated a little for clock drift), expiring soon after it.
      expect(Date.parse(cert.valid_from)).toBeGreaterThan(started - 6 * 60_000);
      expect(Date.parse(cert.valid_from)).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(cert.valid_to)).toBeGreaterThan(Date.now());
      expect(Date.parse(cert.valid_to)).toBeLessThan(Date.now() + 60 * 60_000);

      const r = await cli.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Connected to Fathom with OAuth/);
      expect(t.oauth.tokenRequests.at(-1)).toMatchObject({ grantType: 'authorization_code', status: 200 });
      expect(readConfig().oauth).toMatchObject({ redirectUri, port: t.port });
      // The private key never left the process: not in its output, not in any file.
      expect(r.stdout + r.stderr).not.toMatch(/PRIVATE KEY|BEGIN/);
      expect(everythingWritten()).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
      // The listener is gone.
      await expect(load(`http://127.0.0.1:${t.port}/`)).rejects.toThrow();
    });
  }

  it('another path on the https listener gets 404, and the login goes on', async () => {
    const redirectUri = `https://127.0.0.1:${t.port}/cb`;
    t.oauth.setRedirectUris([redirectUri]);
    const cli = startLiveCli(['connect', '--no-browser', '--redirect-uri', redirectUri], t.env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    expect((await loadInsecureHttps(`https://127.0.0.1:${t.port}/callback?code=x&state=y`)).status).toBe(404);
    expect((await playBrowserInsecureHttps(url!)).status).toBe(200);
    expect((await cli.done).code).toBe(0);
  });
});

describe('external https redirect URI: the address pasted, or handed over to the loopback listener', () => {
  beforeEach(() => t.oauth.setRedirectUris([EXTERNAL]));
  const args = () => ['connect', '--no-browser', '--redirect-uri', EXTERNAL, '--port', String(t.port)];

  it('(a) the address pasted on stdin: exchanged with exactly the registered URI, remembered, and the listener closed', async () => {
    const cli = startLiveCli(args(), t.env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    expect(new URL(url!).searchParams.get('redirect_uri')).toBe(EXTERNAL);
    await cli.stderrMatch(new RegExp(`it hands the code to http://127\\.0\\.0\\.1:${t.port}/callback .*paste the address the browser ended on as the first line of stdin`));
    // The browser ends on the external page (here: never loaded); the user copies its address.
    const location = await authorizeRedirect(url!);
    expect(location.startsWith(`${EXTERNAL}?`)).toBe(true);
    cli.child.stdin!.end(`${location}\n`);
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Connected to Fathom with OAuth/);
    // The fake refuses a code exchanged with any other redirect_uri than the one it went out with.
    expect(t.oauth.tokenRequests.at(-1)).toMatchObject({ grantType: 'authorization_code', redirectUri: EXTERNAL, status: 200 });
    expect(readConfig().oauth).toMatchObject({ redirectUri: EXTERNAL, port: t.port });
    await expect(load(`http://127.0.0.1:${t.port}/callback`)).rejects.toThrow();

    // A renewal needs no redirect URI, and sends none (the stored token is made to look expired).
    const stored = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8')) as Record<string, string>;
    stored.default = JSON.stringify({ ...JSON.parse(stored.default!), expiresAt: Date.now() - 1000 });
    fs.writeFileSync(credentialsFile(), JSON.stringify(stored));
    expect((await runCli(['status', '--check'], t.env)).code).toBe(0);
    expect(t.oauth.tokenRequests.at(-1)).toMatchObject({ grantType: 'refresh_token', redirectUri: null, status: 200 });

    const status = await runCli(['status', '--json'], t.env);
    expect(JSON.parse(status.stdout)).toMatchObject({ connected: true, auth_kind: 'oauth', oauth_redirect_uri: EXTERNAL });
    expect((await runCli(['status'], t.env)).stdout).toMatch(new RegExp(`^Redirect: {4}${EXTERNAL.replace(/\./g, '\\.')} \\(used by the next connect\\)$`, 'm'));

    // The next connect uses the remembered redirect URI and forwarder port without flags.
    const again = await runCli(['connect', '--no-browser', '--timeout', '1'], t.env);
    expect(again.code).toBe(4);
    const [, next] = again.stderr.match(AUTHORIZE_URL_PATTERN)!;
    expect(new URL(next!).searchParams.get('redirect_uri')).toBe(EXTERNAL);
    expect(again.stderr).toContain(`http://127.0.0.1:${t.port}/callback`);
  });

  it('(b) handed over to the loopback listener (what the forwarder page does): connect completes, the paste is withdrawn', async () => {
    const cli = startLiveCli(args(), t.env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    const location = new URL(await authorizeRedirect(url!));
    const page = await load(`http://127.0.0.1:${t.port}/callback${location.search}`);
    expect(page.html).toContain('fathom-sync is connected');
    // stdin stays open and unused: connect must not wait for it.
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(readConfig().oauth).toMatchObject({ redirectUri: EXTERNAL, port: t.port });
    cli.child.stdin!.destroy();
  });

  it('stdin ending without a paste leaves the listener waiting for the hand-over', async () => {
    const cli = startLiveCli(args(), t.env);
    cli.child.stdin!.end();
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    await cli.stderrMatch(/stdin ended; still waiting for the forwarder page to hand the code over/);
    const location = new URL(await authorizeRedirect(url!));
    expect((await load(`http://127.0.0.1:${t.port}/callback${location.search}`)).status).toBe(200);
    expect((await cli.done).code).toBe(0);
  });

  it('the forwarder port in use: a warning, and the paste still works', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(t.port, '127.0.0.1', resolve));
    try {
      const cli = startLiveCli(args(), t.env);
      const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
      cli.child.stdin!.end(`${await authorizeRedirect(url!)}\n`);
      const r = await cli.done;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`warning: port ${t.port} on 127\\.0\\.0\\.1 is already in use.*; the forwarder page cannot hand the code over, so paste the address instead`));
    } finally {
      blocker.close();
    }
  });

  describe('a wrong paste from stdin: exit 4 with the reason, nothing stored, the listener closed', () => {
    const cases: [string, (location: URL) => string, RegExp][] = [
      ["another login's state", (l) => withParam(l, 'state', 'from-another-login').href, /^fathom-sync: that address belongs to another login \(its state does not match this one\); nothing was saved$/m],
      ['an error=', (l) => withParam(withParam(l, 'error', 'access_denied'), 'code', null).href, /^fathom-sync: access was denied in the browser \(access_denied\); nothing was saved$/m],
      ['no code', (l) => withParam(l, 'code', null).href, /^fathom-sync: the pasted address has no authorization code; nothing was saved$/m],
      ['not the address', () => 'https://forwarder.example.test/', /^fathom-sync: that is not the address the browser ended on \(it starts with https:\/\/forwarder\.example\.test\/\S+ or http:\/\/127\.0\.0\.1:\d+\/callback, with code= and state=\); nothing was saved$/m],
    ];
    for (const [name, paste, message] of cases) {
      it(name, async () => {
        const cli = startLiveCli(args(), t.env);
        const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
        const location = new URL(await authorizeRedirect(url!));
        cli.child.stdin!.end(`${paste(location)}\n`);
        const r = await cli.done;
        expect(r.code).toBe(4);
        expect(r.stderr).toMatch(message);
        expect(r.stderr + r.stdout).not.toContain(location.searchParams.get('code')!);
        nothingStored();
        await expect(load(`http://127.0.0.1:${t.port}/callback`)).rejects.toThrow();
      });
    }
  });

  it('a redirect URI the fake has not registered: the authorize step refuses it', async () => {
    const cli = startLiveCli(['connect', '--no-browser', '--timeout', '2', '--redirect-uri', 'https://elsewhere.example.test/cb', '--port', String(t.port)], t.env);
    const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
    const res = await fetch(url!, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/redirect_uri does not match/);
    cli.child.stdin!.end();
    expect((await cli.done).code).toBe(4);
    nothingStored();
  });
});

describe('--redirect-uri bad input: one line, exit 2, nothing stored', () => {
  const bad: [string, string[], RegExp][] = [
    ['plain http to another host', ['--redirect-uri', 'http://example.com/cb'], /^fathom-sync: --redirect-uri must be http:\/\/127\.0\.0\.1:PORT\/PATH, http:\/\/localhost:PORT\/PATH, or an https:\/\/ URL \(got http:\/\/example\.com\)$/],
    ['not a URL', ['--redirect-uri', 'callback'], /^fathom-sync: --redirect-uri is not a URL/],
    ['a fragment', ['--redirect-uri', 'https://me.example.test/cb#x'], /^fathom-sync: --redirect-uri must not contain a #fragment/],
    ['--port that disagrees', ['--redirect-uri', 'http://127.0.0.1:4000/cb', '--port', '4001'], /^fathom-sync: --port 4001 does not match the port of --redirect-uri \(4000\); leave --port out$/],
    ['with --api-key', ['--api-key', '--redirect-uri', 'https://me.example.test/cb'], /cannot be combined with/],
  ];
  for (const [name, flags, message] of bad) {
    it(name, async () => {
      const r = await runCli(['connect', '--no-browser', ...flags], t.env);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stdout).toBe('');
      nothingStored();
    });
  }
});
