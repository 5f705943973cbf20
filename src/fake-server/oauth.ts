import crypto from 'node:crypto';
import type http from 'node:http';
import { BASE_PATH, type FakeFathom } from './server.js';

/**
 * Fathom's OAuth endpoints for the fake server, with the quirks of the real ones
 * (../shared/notes/fathom-api.md §2):
 * - authorize redirects straight back to redirect_uri with code+state (or error=access_denied
 *   when told to): the fake has no login page, the test plays the browser;
 * - token: form-encoded only (a JSON body gets 415), client_secret required (401
 *   invalid_client), redirect_uri must match exactly, codes single-use, refresh tokens
 *   single-use and rotating (a reused one gets 400 invalid_grant), configurable expires_in;
 * - issued access tokens are registered with the API server (issueAccessToken), so Bearer
 *   calls work and expire like the real ones.
 */

export const FAKE_CLIENT_ID = 'fake-client-id';
export const FAKE_CLIENT_SECRET = 'fake-client-secret';
export const AUTHORIZE_PATH = `${BASE_PATH}/oauth2/authorize`;
export const TOKEN_PATH = `${BASE_PATH}/oauth2/token`;

/**
 * Token URLs on the "wrong host", as one of Fathom's two candidate hosts might serve them: the
 * web app's login redirect, its HTML sign-in page (200), an HTML error page (403), or a 404.
 * A client must move on to its next candidate; none of them ever issues a token.
 */
export const WRONG_TOKEN_ANSWERS = ['redirect', 'html', 'html-error', 'not-found'] as const;
export type WrongTokenAnswer = (typeof WRONG_TOKEN_ANSWERS)[number];
const wrongTokenPath = (kind: WrongTokenAnswer) => `/__fake/wrong-host/${kind}/oauth2/token`;
const LOGIN_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><form action="/login" method="post">Sign in to continue</form></body></html>';

export interface FakeOAuthOptions {
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs, matched exactly (default http://127.0.0.1:38421/callback). */
  redirectUris?: string[];
  /** Lifetime of issued access tokens, seconds (default 3600). */
  expiresIn?: number;
  /** Authorize answers error=access_denied instead of a code. */
  deny?: boolean;
  /** Check PKCE when a challenge was sent. Fathom does not support PKCE; default false. */
  enforcePkce?: boolean;
  /** Refresh responses carry a new refresh token (default true, as Fathom does). */
  rotateRefreshTokens?: boolean;
  /** Authorization codes expire after this long (default 10 minutes). */
  codeTtlMs?: number;
  now?: () => number;
}

export interface TokenRequestRecord {
  grantType: string | null;
  /** The redirect_uri the request carried (a refresh needs none). */
  redirectUri: string | null;
  status: number;
  error: string | null;
  contentType: string | null;
}

export interface FakeOAuth {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  setExpiresIn(seconds: number): void;
  setDeny(deny: boolean): void;
  setRedirectUris(uris: string[]): void;
  /** The next token request(s) get this answer instead (status + JSON body, or raw text; extra headers such as location). */
  failNextToken(reply: InjectedTokenReply, count?: number): void;
  /** A token URL that answers like the wrong host (see WRONG_TOKEN_ANSWERS). */
  wrongTokenUrl(kind: WrongTokenAnswer): string;
  /** Every refresh token issued so far stops working (the user removed the app in Fathom). */
  revokeRefreshTokens(): void;
  /**
   * The next refresh_token request waits at the endpoint until release(): `arrived` resolves
   * when it is there. Lets a test hold one process inside its refresh while another starts.
   */
  holdNextRefresh(): { arrived: Promise<void>; release: () => void };
  /** The newest pair issued, or null. */
  lastIssued(): { accessToken: string; refreshToken: string; expiresAt: number } | null;
  /** Every access and refresh token ever issued (for leak checks). */
  issuedSecrets(): string[];
  readonly tokenRequests: TokenRequestRecord[];
  /** Successful grants by type. */
  grants(): { authorization_code: number; refresh_token: number };
  readonly authorizeRequests: URLSearchParams[];
}

export interface InjectedTokenReply {
  status: number;
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  expiresAt: number;
  used: boolean;
}

export function installFakeOAuth(fake: FakeFathom, options: FakeOAuthOptions = {}): FakeOAuth {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? FAKE_CLIENT_ID;
  const clientSecret = options.clientSecret ?? FAKE_CLIENT_SECRET;
  let redirectUris = options.redirectUris ?? ['http://127.0.0.1:38421/callback'];
  let expiresIn = options.expiresIn ?? 3600;
  let deny = options.deny ?? false;
  const rotate = options.rotateRefreshTokens ?? true;
  const codeTtlMs = options.codeTtlMs ?? 10 * 60_000;
  const codes = new Map<string, CodeRecord>();
  /** refresh token -> still usable */
  const refreshTokens = new Map<string, boolean>();
  const issued: string[] = [];
  let last: { accessToken: string; refreshToken: string; expiresAt: number } | null = null;
  const failures: InjectedTokenReply[] = [];
  const tokenRequests: TokenRequestRecord[] = [];
  const authorizeRequests: URLSearchParams[] = [];
  const grants = { authorization_code: 0, refresh_token: 0 };
  let refreshHold: { arrive: () => void; released: Promise<void> } | null = null;

  const random = (prefix: string) => `${prefix}${crypto.randomBytes(18).toString('base64url')}`;

  /** A new access token, and a new refresh token unless `keepRefreshToken` stays valid. */
  const issue = (keepRefreshToken?: string): Record<string, unknown> => {
    const accessToken = random('fake-at-');
    const expiresAt = now() + expiresIn * 1000;
    fake.issueAccessToken(accessToken, expiresAt);
    issued.push(accessToken);
    if (keepRefreshToken) {
      last = { accessToken, refreshToken: keepRefreshToken, expiresAt };
      return { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer' };
    }
    const refreshToken = random('fake-rt-');
    refreshTokens.set(refreshToken, true);
    issued.push(refreshToken);
    last = { accessToken, refreshToken, expiresAt };
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn, token_type: 'Bearer' };
  };

  fake.addRoute('GET', AUTHORIZE_PATH, (req, res) => {
    const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    authorizeRequests.push(q);
    const redirectUri = q.get('redirect_uri') ?? '';
    // Like a real provider: an unknown client or redirect URI is shown as an error page, never
    // redirected (that would make the provider an open redirector).
    if (q.get('client_id') !== clientId) return sendText(res, 400, 'Unknown client_id');
    if (!redirectUris.includes(redirectUri)) return sendText(res, 400, 'redirect_uri does not match any registered redirect URI');
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (q.get('response_type') !== 'code') {
      back.searchParams.set('error', 'unsupported_response_type');
    } else if (deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user denied the request');
    } else {
      const code = random('fake-code-');
      codes.set(code, { clientId, redirectUri, challenge: q.get('code_challenge'), expiresAt: now() + codeTtlMs, used: false });
      back.searchParams.set('code', code);
    }
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString(), 'content-length': 0 });
    res.end();
  });

  fake.addRoute('POST', TOKEN_PATH, async (req, res, body) => {
    const contentType = req.headers['content-type'] ?? null;
    let redirectUri: string | null = null;
    const reply = (status: number, json: Record<string, unknown>, grantType: string | null) => {
      tokenRequests.push({ grantType, redirectUri, status, error: typeof json.error === 'string' ? json.error : null, contentType });
      sendJson(res, status, json);
    };
    const injected = failures.shift();
    if (injected) {
      tokenRequests.push({ grantType: null, redirectUri: null, status: injected.status, error: 'injected', contentType });
      if (injected.text !== undefined) return sendText(res, injected.status, injected.text, injected.contentType, injected.headers);
      return sendJson(res, injected.status, injected.body ?? {}, injected.headers);
    }
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
      tokenRequests.push({ grantType: null, redirectUri: null, status: 415, error: 'unsupported_media_type', contentType });
      return sendText(res, 415, 'Unsupported Media Type');
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const grantType = form.get('grant_type');
    redirectUri = form.get('redirect_uri');
    const basic = parseBasic(req.headers.authorization);
    const id = form.get('client_id') ?? basic?.id ?? null;
    const secret = form.get('client_secret') ?? basic?.secret ?? null;
    if (id !== clientId || !secret || !timingSafeEqualText(secret, clientSecret)) {
      return reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' }, grantType);
    }
    if (grantType === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      if (!code || code.used || code.expiresAt < now()) return reply(400, { error: 'invalid_grant', error_description: 'The authorization code is invalid, expired or already used' }, grantType);
      code.used = true;
      if (code.redirectUri !== form.get('redirect_uri')) return reply(400, { error: 'invalid_grant', error_description: 'redirect_uri does not match' }, grantType);
      if (options.enforcePkce && code.challenge) {
        const verifier = form.get('code_verifier') ?? '';
        const computed = crypto.createHash('sha256').update(verifier).digest('base64url');
        if (computed !== code.challenge) return reply(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' }, grantType);
      }
      grants.authorization_code += 1;
      return reply(200, issue(), grantType);
    }
    if (grantType === 'refresh_token') {
      const hold = refreshHold;
      refreshHold = null;
      if (hold) {
        hold.arrive();
        await hold.released;
      }
      const token = form.get('refresh_token') ?? '';
      if (refreshTokens.get(token) !== true) return reply(400, { error: 'invalid_grant', error_description: 'The refresh token is invalid or was already used' }, grantType);
      grants.refresh_token += 1;
      if (!rotate) return reply(200, issue(token), grantType);
      refreshTokens.set(token, false);
      return reply(200, issue(), grantType);
    }
    return reply(400, { error: 'unsupported_grant_type' }, grantType);
  });

  for (const kind of WRONG_TOKEN_ANSWERS) {
    fake.addRoute('POST', wrongTokenPath(kind), (_req, res) => {
      if (kind === 'redirect') {
        res.writeHead(302, { location: `${fake.origin}/login?return_to=%2Foauth2%2Ftoken`, 'content-length': 0 });
        res.end();
        return;
      }
      if (kind === 'not-found') return sendText(res, 404, 'Not Found');
      return sendText(res, kind === 'html' ? 200 : 403, LOGIN_PAGE, 'text/html; charset=utf-8');
    });
  }

  // Control routes for a fake running in another process (see main.ts).
  fake.addRoute('POST', '/__fake/oauth/revoke-refresh-tokens', (_req, res) => {
    for (const t of refreshTokens.keys()) refreshTokens.set(t, false);
    res.writeHead(204).end();
  });
  fake.addRoute('GET', '/__fake/oauth/stats', (_req, res) => sendJson(res, 200, { grants, tokenRequests }));

  return {
    clientId,
    clientSecret,
    authorizeUrl: `${fake.origin}${AUTHORIZE_PATH}`,
    tokenUrl: `${fake.origin}${TOKEN_PATH}`,
    setExpiresIn: (s) => {
      expiresIn = s;
    },
    setDeny: (d) => {
      deny = d;
    },
    setRedirectUris: (uris) => {
      redirectUris = [...uris];
    },
    failNextToken: (r, count = 1) => {
      for (let i = 0; i < count; i++) failures.push(r);
    },
    wrongTokenUrl: (kind) => `${fake.origin}${wrongTokenPath(kind)}`,
    revokeRefreshTokens: () => {
      for (const t of refreshTokens.keys()) refreshTokens.set(t, false);
    },
    holdNextRefresh: () => {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((r) => (arrive = r));
      const released = new Promise<void>((r) => (release = r));
      refreshHold = { arrive, released };
      return { arrived, release };
    },
    lastIssued: () => (last ? { ...last } : null),
    issuedSecrets: () => [...issued],
    tokenRequests,
    grants: () => ({ ...grants }),
    authorizeRequests,
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': buf.length, 'cache-control': 'no-store', ...headers });
  res.end(buf);
}

function sendText(res: http.ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  const buf = Buffer.from(text);
  res.writeHead(status, { 'content-type': contentType, 'content-length': buf.length, ...headers });
  res.end(buf);
}

function parseBasic(header: string | undefined): { id: string; secret: string } | null {
  const m = /^basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}

function timingSafeEqualText(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
