import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestToken, redact } from '../../src/auth/token-client.js';
import { OAuthProviderError } from '../../src/auth/oauth-errors.js';
import { TemporaryError } from '../../src/core/errors.js';

/** A scripted token endpoint on loopback: each path answers as the test says. */
let server: http.Server;
let base: string;
let seen: { path: string; contentType: string | undefined; form: URLSearchParams }[] = [];
let answers: Record<string, { status: number; body: string; type?: string }> = {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url!, contentType: req.headers['content-type'], form: new URLSearchParams(Buffer.concat(chunks).toString()) });
      const a = answers[req.url!] ?? { status: 404, body: 'not found' };
      res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' }).end(a.body);
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

  it('tries the next token URL on 404/405 only, and reports which one answered', async () => {
    answers['/b'] = { status: 405, body: '' };
    answers['/c'] = { status: 200, body: ok };
    const r = await requestToken({ tokenUrls: [`${base}/a`, `${base}/b`, `${base}/c`], clientId: 'x', clientSecret: 'y' }, refresh);
    expect(r.tokenUrl).toBe(`${base}/c`);
    expect(seen.map((s) => s.path)).toEqual(['/a', '/b', '/c']);
    seen = [];
    answers['/a'] = { status: 400, body: JSON.stringify({ error: 'invalid_grant' }) };
    await expect(requestToken({ tokenUrls: [`${base}/a`, `${base}/c`], clientId: 'x', clientSecret: 'y' }, refresh)).rejects.toBeInstanceOf(OAuthProviderError);
    expect(seen).toHaveLength(1);
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
