import { OAUTH_SCOPE } from './oauth-endpoints.js';
import type { Pkce } from './pkce.js';

export function buildAuthorizeUrl(args: { authorizeUrl: string; clientId: string; redirectUri: string; state: string; pkce: Pkce }): string {
  const url = new URL(args.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', args.clientId);
  url.searchParams.set('redirect_uri', args.redirectUri);
  url.searchParams.set('scope', OAUTH_SCOPE);
  url.searchParams.set('state', args.state);
  url.searchParams.set('code_challenge', args.pkce.challenge);
  url.searchParams.set('code_challenge_method', args.pkce.method);
  return url.toString();
}

/** What the provider sent back to the redirect URI. */
export interface CallbackParams {
  code: string | null;
  state: string | null;
  error: string | null;
  errorDescription: string | null;
}

export function callbackParams(search: URLSearchParams): CallbackParams {
  const get = (k: string) => {
    const v = search.get(k);
    return v === null || v === '' ? null : v;
  };
  return { code: get('code'), state: get('state'), error: get('error'), errorDescription: get('error_description') };
}

/**
 * --manual: the user pastes the address the browser ended on (it fails to load, since nothing
 * listens on this machine's port). Accepts the whole URL or just its query string.
 */
export function parsePastedRedirect(text: string): CallbackParams | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  let search: string;
  try {
    search = new URL(trimmed).search;
  } catch {
    search = trimmed.includes('?') ? trimmed.slice(trimmed.indexOf('?')) : trimmed;
  }
  const params = callbackParams(new URLSearchParams(search));
  return params.code || params.error || params.state ? params : null;
}
