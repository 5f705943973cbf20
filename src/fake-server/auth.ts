import type http from 'node:http';
import type { AuthKind } from './request.js';

export type Authentication =
  | { ok: true; credential: string; kind: 'api_key' | 'bearer'; admin: boolean }
  | { ok: false; message: string };

/** What the request claims to be, for the request log (even when the credential turns out bad). */
export function authKindOf(req: http.IncomingMessage): AuthKind {
  if (req.headers['x-api-key'] !== undefined) return 'api_key';
  if (/^bearer\s/i.test(req.headers.authorization ?? '')) return 'bearer';
  return 'none';
}

/**
 * X-Api-Key and OAuth Bearer credentials. Access tokens are registered by the OAuth fake (or a
 * test) with their expiry, so Bearer calls stop working when the token would.
 */
export class Authenticator {
  readonly #apiKeys: Set<string>;
  readonly #adminKeys: Set<string>;
  readonly #clock: () => number;
  readonly #tokens = new Map<string, number>();

  constructor(apiKeys: Iterable<string>, adminKeys: Iterable<string>, clock: () => number) {
    this.#apiKeys = new Set(apiKeys);
    this.#adminKeys = new Set(adminKeys);
    this.#clock = clock;
  }

  issueAccessToken(token: string, expiresAtMs: number): void {
    this.#tokens.set(token, expiresAtMs);
  }

  revokeAccessToken(token: string): void {
    this.#tokens.delete(token);
  }

  /** An API key wins over a Bearer token when a request sends both. */
  authenticate(req: http.IncomingMessage): Authentication {
    const key = req.headers['x-api-key'];
    if (key !== undefined) {
      const k = Array.isArray(key) ? key[0] ?? '' : key;
      if (this.#apiKeys.has(k) || this.#adminKeys.has(k)) return { ok: true, credential: `key:${k}`, kind: 'api_key', admin: this.#adminKeys.has(k) };
      return { ok: false, message: 'Invalid API key' };
    }
    const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (m) {
      const exp = this.#tokens.get(m[1]!);
      if (exp !== undefined && this.#clock() < exp) return { ok: true, credential: `bearer:${m[1]}`, kind: 'bearer', admin: false };
      return { ok: false, message: 'Invalid or expired access token' };
    }
    return { ok: false, message: 'Missing X-Api-Key header or Authorization bearer token' };
  }
}
