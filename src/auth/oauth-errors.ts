import { AuthRequiredError, FailureError, TemporaryError } from '../core/errors.js';

const RECONNECT = 'run fathom-sync connect';

/**
 * Provider errors (RFC 6749 §4.1.2.1 and §5.2) as one clear line each. `phase` changes the
 * advice: a refused refresh means "connect again", a refused code exchange usually means the
 * app settings are wrong.
 */
export type OAuthPhase = 'authorize' | 'exchange' | 'refresh';

/**
 * The provider said no: exit 4. An AuthRequiredError, so the HTTP client stops at once instead of
 * retrying a refresh that can only fail again.
 */
export class OAuthProviderError extends AuthRequiredError {
  constructor(
    readonly code: string,
    message: string,
    fix = RECONNECT,
  ) {
    super(message, fix);
  }
}

/** The provider's own failure (server_error, temporarily_unavailable): exit 5, try later. */
export class OAuthServerError extends TemporaryError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message, `${RECONNECT} again in a moment`);
  }
}

export function oauthError(code: string, description: string | null, phase: OAuthPhase, context: { redirectUri?: string } = {}): OAuthProviderError | OAuthServerError {
  const detail = description ? `: ${cleanDescription(description)}` : '';
  const auth = (message: string, fix?: string) => new OAuthProviderError(code, message, fix);
  if (phase === 'refresh') {
    if (code === 'invalid_client') {
      return auth(`Fathom refused the OAuth app's client id or secret while renewing the token (invalid_client${detail})`, `${RECONNECT} in a terminal and type the app's current client secret (or set FATHOM_CLIENT_SECRET)`);
    }
    return auth(`Fathom refused to renew the access token (${code}${detail}): the refresh token was revoked, expired or already used`, RECONNECT);
  }
  switch (code) {
    case 'access_denied':
      return auth(`access was denied in the browser (access_denied${detail}); nothing was saved`, `${RECONNECT} and approve the app`);
    case 'invalid_client':
      return auth(`Fathom rejected the client id or client secret (invalid_client${detail})`, 'check FATHOM_CLIENT_ID / --client-id and the client secret of your Fathom app');
    case 'invalid_grant':
      return auth(
        `Fathom rejected the authorization code (invalid_grant${detail}): it expired, was already used, or the redirect URI differs`,
        `${RECONNECT}${context.redirectUri ? `; the app must have exactly ${context.redirectUri} registered` : ''}`,
      );
    case 'redirect_uri_mismatch':
    case 'invalid_redirect_uri':
      return auth(`Fathom does not accept this redirect URI (${code}${detail})`, context.redirectUri ? `register exactly ${context.redirectUri} in your Fathom app, or pass the one you registered with --redirect-uri` : undefined);
    case 'unauthorized_client':
      return auth(`this OAuth app may not use the authorization-code grant (unauthorized_client${detail})`, 'check the app settings in Fathom');
    case 'invalid_scope':
      return auth(`Fathom refused the requested scope public_api (invalid_scope${detail})`);
    case 'server_error':
    case 'temporarily_unavailable':
      return new OAuthServerError(code, `Fathom's authorization server failed (${code}${detail})`);
    default:
      return auth(`Fathom answered the ${phase === 'authorize' ? 'authorization request' : 'token request'} with an error (${code}${detail})`);
  }
}

/** Descriptions come from the network: one line, printable characters, bounded length. */
function cleanDescription(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** The user did not finish in time (or the callback never came). */
export class LoginTimeoutError extends AuthRequiredError {
  constructor(timeoutMs: number) {
    super(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s; nothing was saved`, `${RECONNECT} (or --timeout <seconds> for more time, --manual over SSH)`);
  }
}

/** The token endpoint answered in a way no OAuth server should (HTML, no access_token, 415): a wrong URL, most likely. */
export class TokenEndpointError extends FailureError {}
