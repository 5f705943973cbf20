import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPkce, pkceChallenge } from '../../src/auth/pkce.js';
import { createState, stateMatches } from '../../src/auth/oauth-state.js';
import { buildAuthorizeUrl, parsePastedRedirect } from '../../src/auth/authorize-url.js';
import { escapeHtml, callbackPage } from '../../src/auth/callback-page.js';
import { parseCredential, serializeCredential } from '../../src/auth/stored-credential.js';
import { DEFAULT_CALLBACK_PORT, FATHOM_TOKEN_URLS, redirectUriFor, resolveOAuthEndpoints } from '../../src/auth/oauth-endpoints.js';
import { oauthError, OAuthProviderError, OAuthServerError } from '../../src/auth/oauth-errors.js';
import { AuthRequiredError, TemporaryError } from '../../src/core/errors.js';

describe('PKCE', () => {
  it('matches the RFC 7636 appendix B example', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
  it('makes a 43-character verifier and its S256 challenge', () => {
    const p = createPkce();
    expect(p.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.challenge).toBe(pkceChallenge(p.verifier));
    expect(p.method).toBe('S256');
    expect(createPkce().verifier).not.toBe(p.verifier);
  });
});

describe('state', () => {
  it('is random and url-safe', () => {
    const states = new Set(Array.from({ length: 50 }, createState));
    expect(states.size).toBe(50);
    for (const s of states) expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
  it('compares exactly, whatever the lengths, and rejects a missing state', () => {
    const s = createState();
    expect(stateMatches(s, s)).toBe(true);
    expect(stateMatches(s, `${s}x`)).toBe(false);
    expect(stateMatches(s, s.slice(0, -1))).toBe(false);
    expect(stateMatches(s, '')).toBe(false);
    expect(stateMatches(s, null)).toBe(false);
    expect(stateMatches(s, undefined)).toBe(false);
  });
});

describe('authorize URL and pasted redirects', () => {
  it('carries response_type, client_id, the exact redirect URI, scope, state and PKCE', () => {
    const url = new URL(buildAuthorizeUrl({ authorizeUrl: 'https://fathom.video/external/v1/oauth2/authorize', clientId: 'cid', redirectUri: redirectUriFor(4242), state: 'st', pkce: { verifier: 'v', challenge: 'c', method: 'S256' } }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'http://127.0.0.1:4242/callback',
      scope: 'public_api',
      state: 'st',
      code_challenge: 'c',
      code_challenge_method: 'S256',
    });
  });
  it('reads a pasted address or its query string, and refuses other text', () => {
    expect(parsePastedRedirect('  http://127.0.0.1:1/callback?code=a&state=b \n')).toEqual({ code: 'a', state: 'b', error: null, errorDescription: null });
    expect(parsePastedRedirect('?error=access_denied&state=b')).toMatchObject({ error: 'access_denied', state: 'b' });
    expect(parsePastedRedirect('code=a&state=b')).toMatchObject({ code: 'a' });
    expect(parsePastedRedirect('hello')).toBeNull();
    expect(parsePastedRedirect('')).toBeNull();
  });
});

describe('callback page', () => {
  it('escapes everything it echoes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;');
    const page = callbackPage('<b>', '<img src=x onerror=alert(1)>', false);
    expect(page).not.toMatch(/<img|<b>/);
  });
});

describe('stored credential format', () => {
  it('round-trips both kinds', () => {
    const oauth = { kind: 'oauth', accessToken: 'a', refreshToken: 'r', expiresAt: 5, tokenType: 'Bearer', clientId: 'c', obtainedAt: 1 } as const;
    expect(parseCredential(serializeCredential(oauth))).toEqual(oauth);
    expect(parseCredential(serializeCredential({ kind: 'api_key', apiKey: 'k' }))).toEqual({ kind: 'api_key', apiKey: 'k' });
  });
  it('never puts the stored text in an error', () => {
    expect(() => parseCredential('not json secret-xyz')).toThrow(/not in a format/);
    try {
      parseCredential('{"kind":"oauth","accessToken":"secret-xyz"}');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret-xyz');
    }
  });
});

describe('OAuth endpoints', () => {
  it('defaults to Fathom, tries the remembered token URL first, and honours the overrides', () => {
    expect(resolveOAuthEndpoints({}, {}).tokenUrls).toEqual([...FATHOM_TOKEN_URLS]);
    expect(resolveOAuthEndpoints({}, { oauth: { tokenUrl: FATHOM_TOKEN_URLS[1] } }).tokenUrls).toEqual([FATHOM_TOKEN_URLS[1], FATHOM_TOKEN_URLS[0]]);
    const pinned = resolveOAuthEndpoints({ FATHOM_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/t', FATHOM_OAUTH_AUTHORIZE_URL: 'https://example.test/a' }, {});
    expect(pinned).toEqual({ authorizeUrl: 'https://example.test/a', tokenUrls: ['http://127.0.0.1:9/t'] });
    // Several pinned URLs, separated by spaces, are candidates in that order.
    expect(resolveOAuthEndpoints({ FATHOM_OAUTH_TOKEN_URL: ' https://a.example.test/t  https://b.example.test/t ' }, {}).tokenUrls).toEqual(['https://a.example.test/t', 'https://b.example.test/t']);
    expect(() => resolveOAuthEndpoints({ FATHOM_OAUTH_TOKEN_URL: 'https://a.example.test/t http://b.example.test/t' }, {})).toThrow(/must be an https URL/);
    // A token URL connect was told to use is the only one later runs send a refresh token to.
    expect(resolveOAuthEndpoints({}, { oauth: { tokenUrl: 'https://proxy.example.test/token' } }).tokenUrls).toEqual(['https://proxy.example.test/token']);
    // ...but a new connect without the variable goes to Fathom, not to a URL saved long ago.
    expect(resolveOAuthEndpoints({}, { oauth: { tokenUrl: 'https://proxy.example.test/token' } }, 'connect').tokenUrls).toEqual([...FATHOM_TOKEN_URLS]);
    expect(() => resolveOAuthEndpoints({}, { oauth: { tokenUrl: 'http://proxy.example.test/token' } })).toThrow(/must be an https URL/);
  });
  it('refuses plain http except to loopback', () => {
    expect(() => resolveOAuthEndpoints({ FATHOM_OAUTH_TOKEN_URL: 'http://evil.test/t' }, {})).toThrow(/must be an https URL/);
    expect(() => resolveOAuthEndpoints({ FATHOM_OAUTH_AUTHORIZE_URL: 'nope' }, {})).toThrow(/not a URL/);
  });
  it('the help text in cli.ts names the default redirect URI', () => {
    const cli = fs.readFileSync(new URL('../../src/cli.ts', import.meta.url), 'utf8');
    expect(cli).toContain(`exactly: ${redirectUriFor(DEFAULT_CALLBACK_PORT)}`);
    expect(cli).toContain(`(default ${DEFAULT_CALLBACK_PORT})`);
  });
});

describe('provider errors', () => {
  it('are exit 4, except the provider failing itself (exit 5)', () => {
    expect(oauthError('access_denied', null, 'authorize')).toBeInstanceOf(AuthRequiredError);
    expect(oauthError('invalid_grant', 'x', 'refresh')).toBeInstanceOf(OAuthProviderError);
    expect(oauthError('invalid_grant', 'x', 'refresh').fix?.text).toBe('run fathom-sync connect');
    expect(oauthError('server_error', null, 'exchange')).toBeInstanceOf(OAuthServerError);
    expect(oauthError('server_error', null, 'exchange')).toBeInstanceOf(TemporaryError);
  });
  it('keep the description to one printable line', () => {
    expect(oauthError('weird', 'a\nb\u001b[31mc', 'exchange').message).toBe('Fathom answered the token request with an error (weird: a b [31mc)');
  });
});
