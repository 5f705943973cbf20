import { UsageError } from '../core/errors.js';
import type { AppConfig } from '../core/config.js';

/** Fathom's OAuth endpoints (../shared/notes/fathom-api.md §1-2). */
export const FATHOM_AUTHORIZE_URL = 'https://fathom.video/external/v1/oauth2/authorize';
/**
 * Two token URLs are in circulation: the official SDK's (fathom.video) and the docs'
 * (api.fathom.ai). Both have been seen answering; we try them in this order and remember the
 * one that worked.
 */
export const FATHOM_TOKEN_URLS = ['https://fathom.video/external/v1/oauth2/token', 'https://api.fathom.ai/external/v1/oauth2/token'] as const;
export const OAUTH_SCOPE = 'public_api';

/** Fathom matches redirect URIs exactly, so the port is fixed and must be registered with the app. */
export const DEFAULT_CALLBACK_PORT = 38421;
export const CALLBACK_PATH = '/callback';

export function redirectUriFor(port: number): string {
  return `http://127.0.0.1:${port}${CALLBACK_PATH}`;
}

export interface OAuthEndpoints {
  authorizeUrl: string;
  /** Candidates in order; more than one only when nothing pins the token URL. */
  tokenUrls: string[];
}

/**
 * FATHOM_OAUTH_AUTHORIZE_URL / FATHOM_OAUTH_TOKEN_URL override the defaults (a proxy, a
 * test server); otherwise the token URL that worked last time goes first.
 * FATHOM_OAUTH_TOKEN_URL may list several URLs, separated by spaces: they are candidates tried
 * in that order, like Fathom's own two.
 */
export function resolveOAuthEndpoints(env: NodeJS.ProcessEnv, config: AppConfig, purpose: 'connect' | 'refresh' = 'refresh'): OAuthEndpoints {
  const authorizeUrl = checkEndpointUrl(env.FATHOM_OAUTH_AUTHORIZE_URL?.trim() || FATHOM_AUTHORIZE_URL, 'FATHOM_OAUTH_AUTHORIZE_URL');
  const pinned = env.FATHOM_OAUTH_TOKEN_URL?.trim();
  if (pinned) return { authorizeUrl, tokenUrls: pinned.split(/\s+/).map((url) => checkEndpointUrl(url, 'FATHOM_OAUTH_TOKEN_URL')) };
  const remembered = config.oauth?.tokenUrl;
  const defaults: string[] = [...FATHOM_TOKEN_URLS];
  // One of Fathom's two worked last time: it goes first, the other stays as the fallback.
  if (remembered && defaults.includes(remembered)) return { authorizeUrl, tokenUrls: [remembered, ...defaults.filter((u) => u !== remembered)] };
  // A URL an earlier connect was told to use (a proxy, a test server) is where its token is
  // renewed, and the only place its refresh token is sent. A new connect goes to Fathom again.
  if (remembered && purpose === 'refresh') return { authorizeUrl, tokenUrls: [checkEndpointUrl(remembered, 'the token URL saved in config.json')] };
  return { authorizeUrl, tokenUrls: defaults };
}

/** https only, except plain http to a loopback address (a local test server). */
export function checkEndpointUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} is not a URL`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`${name} must be an https URL (plain http is allowed only for 127.0.0.1/localhost)`);
  }
  return url.toString();
}
