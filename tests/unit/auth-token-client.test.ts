import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestToken, redact } from '../../src/auth/token-client.js';
import { OAuthProviderError, TokenEndpointError } from '../../src/auth/oauth-errors.js';
import { WRONG_TOKEN_ANSWERS } from '../../src/fake-server/oauth.js';
import { startOAuthFake } from '../helpers/connect.js';
import { TemporaryError } from '../../src/core/errors.js';

/** A scripted token endpoint on loopback: each path answers as the test says. */
let server: http.Server;
let base: string;
let seen: { path: string; contentType: string | undefined; form: URLSearchParams }[] = [];
let answers: Record<string, { status: number; body: string; type?: string; headers?: Record<string, string> }> = {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url!, contentType: req.headers['content-type'], form: new URLSearchParams(Buffer.concat(chunks).toString()) });
      const a = answers[req.url!] ?? { status: 404, body: 'not found' };
      res.writeHead(a.status, { 'content-type': a.type ?? 'application/json', ...a.headers }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  answers = {};
});

const ok = JSON.stringify({ access_token: 'at', refresh_token: 'rt', expires_in: 3600, token_type: 'Bearer' });
const refresh = { grant_type: 'refresh_token', refresh_token: 'old-rt' } as const;

describe('requestToken', () => {
  it('posts a form with the client credentials and parses the answer', async () => {
    answers['/token'] = { status: 200, body: ok };
    const { token, tokenUrl } = await requestToken({ tokenUrls: [`${base}/token`], clientId: 'cid', clientSecret: 'csecret' }, { grant_type: 'authorization_code', code: 'c', redirect_uri: 'http://127.0.0.1:1/callback', code_verifier: 'v' });
    expect(token).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresIn: 3600, tokenType: 'Bearer' });
    expect(tokenUrl).toBe(`${base}/token`);
    expect(seen[0]!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(seen[0]!.form)).toEqual({ grant_type: 'authorization_code', code: 'c', redirect_uri: 'http://127.0.0.1:1/callback', code_verifier: 'v', client_id: 'cid', client_secret: 'csecret' });
  });

  it('tries the next token URL on 404/405, a redirect or an HTML page, and reports which one answered', async () => {
    answers['/b'] = { status: 405, body: '' };
    answers['/c'] = { status: 302, body: '', headers: { location: '/login?next=%2Ftoken' } };
    answers['/d'] = { status: 200, body: '<!doctype html><title>Sign in</title>', type: 'text/html' };
    answers['/e'] = { status: 403, body: '<html>Forbidden</html>', type: 'text/html' };
    answers['/f'] = { status: 200, body: ok };
    const r = await requestToken({ tokenUrls: ['/a', '/b', '/c', '/d', '/e', '/f'].map((p) => `${base}${p}`), clientId: 'x', clientSecret: 'y' }, refresh);
    expect(r.tokenUrl).toBe(`${base}/f`);
    expect(seen.map((s) => s.path)).toEqual(['/a', '/b', '/c', '/d', '/e', '/f']);
    // Not followed: the login page never saw the form.
    expect(seen.some((s) => s.path.startsWith('/login'))).toBe(false);
    seen = [];
    answers['/a'] = { status: 400, body: JSON.stringify({ error: 'invalid_grant' }) };
    await expect(requestToken({ tokenUrls: [`${base}/a`, `${base}/c`], clientId: 'x', clientSecret: 'y' }, refresh)).rejects.toBeInstanceOf(OAuthProviderError);
    expect(seen).toHaveLength(1);
  });

  it("a server's own failure, even as an HTML page, is not a reason to try the other URL", async () => {
    answers['/a'] = { status: 502, body: '<html>Bad gateway</html>', type: 'text/html' };
    answers['/b'] = { status: 200, body: ok };
    await expect(requestToken({ tokenUrls: [`${base}/a`, `${base}/b`], clientId: 'x', clientSecret: 'y' }, refresh)).rejects.toBeInstanceOf(TemporaryError);
    answers['/a'] = { status: 429, body: '<html>Slow down</html>', type: 'text/html' };
    await expect(requestToken({ tokenUrls: [`${base}/a`, `${base}/b`], clientId: 'x', clientSecret: 'y' }, refresh)).rejects.toThrow(/rate limited/);
    expect(seen.map((s) => s.path)).toEqual(['/a', '/a']);
  });

  it('when every candidate answers like no token endpoint, the error names each URL and what it answered', async () => {
    answers['/a'] = { status: 301, body: '', headers: { location: 'https://elsewhere.invalid/signin?code=should-not-show' } };
    answers['/b'] = { status: 200, body: '<html>login</html>', type: 'text/html' };
    const err = (await requestToken({ tokenUrls: [`${base}/a`, `${base}/b`], clientId: 'x', clientSecret: 'y' }, refresh).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TokenEndpointError);
    expect((err as Error).message).toBe(`no OAuth token endpoint answered like one: ${base}/a answered with a redirect (301) to https://elsewhere.invalid/signin; ${base}/b answered with an HTML page`);
    // A lone URL that redirects says so in the same words.
    await expect(requestToken({ tokenUrls: [`${base}/a`], clientId: 'x', clientSecret: 'y' }, refresh)).rejects.toThrow(`the OAuth token endpoint ${base}/a answered with a redirect (301) to https://elsewhere.invalid/signin`);
    // After a wrong answer, a failure of the next one mentions the first.
    answers['/b'] = { status: 503, body: 'down', type: 'text/plain' };
    await expect(requestToken({ tokenUrls: [`${base}/a`, `${base}/b`], clientId: 'x', clientSecret: 'y' }, refresh)).rejects.toThrow(`failed (503) (before that, ${base}/a answered with a redirect (301) to https://elsewhere.invalid/signin)`);
  });

  it('keeps a missing refresh_token as null, and accepts expires_in as a string', async () => {
    answers['/t'] = { status: 200, body: JSON.stringify({ access_token: 'at', expires_in: '60' }) };
    const { token } = await requestToken({ tokenUrls: [`${base}/t`], clientId: 'x', clientSecret: 'y' }, refresh);
    expect(token).toEqual({ accessToken: 'at', refreshToken: null, expiresIn: 60, tokenType: 'Bearer' });
  });

  it('classifies failures', async () => {
    const call = () => requestToken({ tokenUrls: [`${base}/t`], clientId: 'x', clientSecret: 'the-client-secret' }, refresh);
    answers['/t'] = { status: 200, body: '<html>', type: 'text/html' };
    await expect(call()).rejects.toThrow(/answered with an HTML page/);
    answers['/t'] = { status: 200, body: '{}' };
    await expect(call()).rejects.toThrow(/without an access_token/);
    answers['/t'] = { status: 502, body: 'bad gateway', type: 'text/plain' };
    await expect(call()).rejects.toBeInstanceOf(TemporaryError);
    answers['/t'] = { status: 429, body: '' };
    await expect(call()).rejects.toThrow(/rate limited/);
    // A 429 that explains itself in an OAuth-style body is still "wait", never "reconnect".
    answers['/t'] = { status: 429, body: JSON.stringify({ error: 'rate_limit_exceeded' }) };
    await expect(call()).rejects.toBeInstanceOf(TemporaryError);
    answers['/t'] = { status: 403, body: 'no', type: 'text/plain' };
    await expect(call()).rejects.toThrow(/Fathom refused to renew the access token \(invalid_grant\)/);
    // A provider that echoes a secret in its description does not get it printed.
    answers['/t'] = { status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'token old-rt for the-client-secret is bad' }) };
    const err = await call().catch((e: Error) => e);
    expect(err.message).not.toMatch(/old-rt|the-client-secret/);
    expect(err.message).toContain('[redacted]');
  });

  it('a connection failure is temporary and names no secret', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await requestToken({ tokenUrls: [`http://127.0.0.1:${port}/token`], clientId: 'x', clientSecret: 'the-client-secret' }, refresh).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TemporaryError);
    expect(err.message).toBe(`cannot reach the OAuth token endpoint http://127.0.0.1:${port}/token: ECONNREFUSED`);
  });

  it('redact ignores very short strings', () => {
    expect(redact('abc abcdef', ['abc', 'abcdef'])).toBe('abc [redacted]');
  });
});

describe("the fake server's wrong-host token URLs", () => {
  it('each one (302 to a login page, an HTML page, an HTML error page, 404) sends the client on to the real endpoint', async () => {
    const { fake, oauth } = await startOAuthFake();
    try {
      for (const kind of WRONG_TOKEN_ANSWERS) {
        const before = oauth.tokenRequests.length;
        const err = await requestToken({ tokenUrls: [oauth.wrongTokenUrl(kind), oauth.tokenUrl], clientId: oauth.clientId, clientSecret: oauth.clientSecret }, refresh).catch((e: unknown) => e);
        // The real endpoint answered: it refused the made-up refresh token, a real OAuth answer.
        expect.soft((err as OAuthProviderError).code, kind).toBe('invalid_grant');
        expect.soft(oauth.tokenRequests.length, kind).toBe(before + 1);
      }
      const both = (await requestToken({ tokenUrls: [oauth.wrongTokenUrl('redirect'), oauth.wrongTokenUrl('html')], clientId: oauth.clientId, clientSecret: oauth.clientSecret }, refresh).catch((e: unknown) => e)) as Error;
      expect(both.message).toMatch(/^no OAuth token endpoint answered like one: \S+\/redirect\/oauth2\/token answered with a redirect \(302\) to http:\/\/127\.0\.0\.1:\d+\/login; \S+\/html\/oauth2\/token answered with an HTML page$/);
    } finally {
      await fake.close();
    }
  });
});
