import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OAuthAuth, REFRESH_MARGIN_MS, isExpiringSoon } from '../../src/auth/oauth-auth.js';
import { CredentialVault, type StoredOAuthToken } from '../../src/auth/stored-credential.js';
import type { SecretStore } from '../../src/auth/secret-store.js';
import { AuthRequiredError } from '../../src/core/errors.js';

/** An in-memory store that records the order of events, to check "save before use". */
class MemoryStore implements SecretStore {
  readonly backend = 'file' as const;
  readonly data = new Map<string, string>();
  constructor(readonly events: string[]) {}
  describe() {
    return 'memory';
  }
  async probe() {}
  async get(a: string) {
    return this.data.get(a) ?? null;
  }
  async set(a: string, s: string) {
    this.events.push(`save ${a}`);
    this.data.set(a, s);
  }
  async delete(a: string) {
    return this.data.delete(a);
  }
}

let server: http.Server;
let tokenUrl: string;
let refreshCalls: URLSearchParams[] = [];
let nextAnswer: { status: number; body: object } | null = null;
let counter = 0;
let events: string[];
let dir: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      refreshCalls.push(form);
      events.push('token request');
      counter += 1;
      const answer = nextAnswer ?? { status: 200, body: { access_token: `at-${counter}`, refresh_token: `rt-${counter}`, expires_in: 3600 } };
      // Answer on a later tick so concurrent callers really overlap.
      setTimeout(() => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)), 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  refreshCalls = [];
  counter = 0;
  nextAnswer = null;
  events = [];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-auth-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const NOW = Date.now();
function token(overrides: Partial<StoredOAuthToken> = {}): StoredOAuthToken {
  return { kind: 'oauth', accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: NOW + 3600_000, tokenType: 'Bearer', clientId: 'cid', obtainedAt: NOW, ...overrides };
}
async function setup(stored: StoredOAuthToken, options: { secret?: string | null; current?: StoredOAuthToken } = {}) {
  const store = new MemoryStore(events);
  const vault = new CredentialVault(store);
  await vault.saveCredential(stored);
  if (options.secret !== null) await vault.saveClientSecret(options.secret ?? 'csecret');
  events.length = 0;
  const urls: string[] = [];
  const auth = new OAuthAuth({ vault, credential: options.current ?? stored, source: 'memory', lockFile: path.join(dir, 'token-refresh.lock'), tokenUrls: [tokenUrl], onTokenUrl: (u) => urls.push(u) });
  return { auth, vault, urls };
}

describe('OAuthAuth', () => {
  it('sends the stored token while it has more than 5 minutes left', async () => {
    const { auth } = await setup(token({ expiresAt: NOW + REFRESH_MARGIN_MS + 60_000, obtainedAt: NOW - 3600_000 }));
    expect(await auth.headers()).toEqual({ Authorization: 'Bearer at-0' });
    expect(refreshCalls).toHaveLength(0);
  });

  it('renews within 5 minutes of expiry, saves the new pair before using it, and tells which URL worked', async () => {
    const { auth, vault, urls } = await setup(token({ expiresAt: NOW + 60_000, obtainedAt: NOW - 3600_000 }));
    expect(await auth.headers()).toEqual({ Authorization: 'Bearer at-1' });
    expect(Object.fromEntries(refreshCalls[0]!)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-0', client_id: 'cid', client_secret: 'csecret' });
    expect(events).toEqual(['token request', 'save default']);
    expect(await vault.readCredential()).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
    expect(auth.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
    expect(urls).toEqual([tokenUrl]);
  });

  it('tells doctor whether it can renew itself: only with a refresh token', async () => {
    expect((await setup(token())).auth.renewable).toBe(true);
    const { auth } = await setup(token({ refreshToken: null, expiresAt: NOW - 1000 }));
    expect(auth.renewable).toBe(false);
    expect(auth.expiresAt).toBe(NOW - 1000);
  });

  it('refreshes once for many concurrent requests', async () => {
    const { auth } = await setup(token({ expiresAt: NOW - 1000, obtainedAt: NOW - 3600_000 }));
    const all = await Promise.all(Array.from({ length: 5 }, () => auth.headers()));
    expect(new Set(all.map((h) => h.Authorization))).toEqual(new Set(['Bearer at-1']));
    expect(refreshCalls).toHaveLength(1);
  });

  it('after a 401: refreshes and says the request is worth retrying', async () => {
    const { auth } = await setup(token());
    expect(await auth.onUnauthorized()).toBe(true);
    expect(await auth.headers()).toEqual({ Authorization: 'Bearer at-1' });
    expect(refreshCalls).toHaveLength(1);
  });

  it('uses a token a sibling process renewed meanwhile instead of spending the refresh token again', async () => {
    const stale = token({ accessToken: 'at-stale', refreshToken: 'rt-spent', expiresAt: NOW - 1000, obtainedAt: NOW - 3600_000 });
    const { auth } = await setup(token({ accessToken: 'at-sibling', refreshToken: 'rt-sibling' }), { current: stale });
    expect(await auth.headers()).toEqual({ Authorization: 'Bearer at-sibling' });
    expect(refreshCalls).toHaveLength(0);
  });

  it('keeps the old refresh token when the answer has none', async () => {
    nextAnswer = { status: 200, body: { access_token: 'at-new', expires_in: 3600 } };
    const { auth, vault } = await setup(token({ expiresAt: NOW - 1 }));
    await auth.headers();
    expect(await vault.readCredential()).toMatchObject({ accessToken: 'at-new', refreshToken: 'rt-0' });
  });

  it('a rejected refresh is AuthRequired (exit 4) and changes nothing stored', async () => {
    nextAnswer = { status: 400, body: { error: 'invalid_grant' } };
    const { auth, vault } = await setup(token({ expiresAt: NOW - 1 }));
    const err = await auth.headers().catch((e: Error) => e);
    expect(err).toBeInstanceOf(AuthRequiredError);
    expect((err as AuthRequiredError).fix?.text).toBe('run fathom-sync connect');
    expect(await vault.readCredential()).toMatchObject({ accessToken: 'at-0', refreshToken: 'rt-0' });
  });

  it('cannot renew without a refresh token or a client secret', async () => {
    await expect((await setup(token({ expiresAt: NOW - 1, refreshToken: null }))).auth.headers()).rejects.toThrow(/gave no refresh token/);
    await expect((await setup(token({ expiresAt: NOW - 1 }), { secret: null })).auth.headers()).rejects.toThrow(/client secret is not stored/);
  });

  it('keeps tokens out of JSON', async () => {
    const { auth } = await setup(token());
    expect(JSON.stringify(auth)).not.toMatch(/at-0|rt-0|csecret/);
  });
});

describe('isExpiringSoon', () => {
  it('5 minutes before expiry, or half the lifetime for short-lived tokens, never without an expiry', () => {
    const now = 1_000_000_000;
    expect(isExpiringSoon({ expiresAt: now + 299_000, obtainedAt: now - 3000_000 }, now)).toBe(true);
    expect(isExpiringSoon({ expiresAt: now + 301_000, obtainedAt: now - 3000_000 }, now)).toBe(false);
    expect(isExpiringSoon({ expiresAt: now + 40_000, obtainedAt: now - 20_000 }, now)).toBe(false);
    expect(isExpiringSoon({ expiresAt: now + 20_000, obtainedAt: now - 40_000 }, now)).toBe(true);
    expect(isExpiringSoon({ expiresAt: null, obtainedAt: now }, now)).toBe(false);
  });
});
