import { TemporaryError, errorMessage } from '../core/errors.js';
import { TokenEndpointError, oauthError, type OAuthPhase } from './oauth-errors.js';

/**
 * POSTs to Fathom's token endpoint. Form-encoded only (Fathom answers a JSON body with 415),
 * client_secret always (Fathom has no PKCE-only public clients). Never logs or echoes a request
 * or response body: both carry secrets.
 */

export type TokenGrant =
  | { grant_type: 'authorization_code'; code: string; redirect_uri: string; code_verifier: string }
  | { grant_type: 'refresh_token'; refresh_token: string };

export interface TokenResponse {
  accessToken: string;
  /** Absent when the provider keeps the old one valid (RFC 6749 §6): keep the old one then. */
  refreshToken: string | null;
  /** Seconds; null when not given. */
  expiresIn: number | null;
  tokenType: string;
}

export interface TokenRequestOptions {
  /** Candidates in order: the next is tried only when one answers 404/405 (wrong host). */
  tokenUrls: string[];
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export const TOKEN_TIMEOUT_MS = 30_000;

export async function requestToken(options: TokenRequestOptions, grant: TokenGrant): Promise<{ token: TokenResponse; tokenUrl: string }> {
  const phase: OAuthPhase = grant.grant_type === 'refresh_token' ? 'refresh' : 'exchange';
  const secrets = [options.clientSecret, 'code' in grant ? grant.code : grant.refresh_token];
  const body = new URLSearchParams({ ...grant, client_id: options.clientId, client_secret: options.clientSecret });
  const doFetch = options.fetchImpl ?? fetch;
  for (let i = 0; i < options.tokenUrls.length; i++) {
    const tokenUrl = options.tokenUrls[i]!;
    const last = i === options.tokenUrls.length - 1;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? TOKEN_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (err) {
      // No retry: a refresh request that reached Fathom may already have spent the refresh token.
      throw new TemporaryError(`cannot reach the OAuth token endpoint ${originOf(tokenUrl)}: ${redact(describeFetchError(err), secrets)}`);
    }
    if ((response.status === 404 || response.status === 405) && !last) continue;
    return { token: interpret(response.status, response.headers.get('content-type'), text, phase, tokenUrl, secrets), tokenUrl };
  }
  throw new TokenEndpointError('no OAuth token endpoint to try');
}

function interpret(status: number, contentType: string | null, text: string, phase: OAuthPhase, tokenUrl: string, secrets: string[]): TokenResponse {
  const json = parseJsonObject(text);
  if (status >= 200 && status < 300) {
    if (!json) {
      const what = /html/i.test(contentType ?? '') || /^\s*</.test(text) ? 'an HTML page' : 'something that is not JSON';
      throw new TokenEndpointError(`the OAuth token endpoint ${originOf(tokenUrl)} answered with ${what}`, 'check FATHOM_OAUTH_TOKEN_URL');
    }
    const accessToken = typeof json.access_token === 'string' && json.access_token ? json.access_token : null;
    if (!accessToken) throw new TokenEndpointError(`the OAuth token endpoint ${originOf(tokenUrl)} answered without an access_token`);
    const expires = typeof json.expires_in === 'string' ? Number(json.expires_in) : json.expires_in;
    return {
      accessToken,
      refreshToken: typeof json.refresh_token === 'string' && json.refresh_token ? json.refresh_token : null,
      expiresIn: typeof expires === 'number' && Number.isFinite(expires) && expires > 0 ? expires : null,
      tokenType: typeof json.token_type === 'string' && json.token_type ? json.token_type : 'Bearer',
    };
  }
  // Before the error body: a rate-limited or failing endpoint may also send {"error": ...}, and
  // that is a reason to wait, not to reconnect.
  if (status === 429) throw new TemporaryError('the OAuth token endpoint is rate limited (60 requests a minute per app)', 'try again in a minute');
  if (json && typeof json.error === 'string' && json.error && status < 500) {
    const description = typeof json.error_description === 'string' ? redact(json.error_description, secrets) : null;
    throw oauthError(json.error, description, phase);
  }
  if (status === 415) {
    throw new TokenEndpointError(`the OAuth token endpoint ${originOf(tokenUrl)} refused the request format (415)`, 'check FATHOM_OAUTH_TOKEN_URL');
  }
  if (status >= 500) throw new TemporaryError(`the OAuth token endpoint ${originOf(tokenUrl)} failed (${status})`);
  if (status === 400 || status === 401 || status === 403) throw oauthError(phase === 'refresh' ? 'invalid_grant' : `http_${status}`, null, phase);
  throw new TokenEndpointError(`the OAuth token endpoint ${originOf(tokenUrl)} answered ${status}`, 'check FATHOM_OAUTH_TOKEN_URL');
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'URL';
  }
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as Error).name === 'TimeoutError') return 'timed out';
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return errorMessage(err);
}

/** Belt and braces: a provider that echoes a secret in its error text must not get it printed. */
export function redact(text: string, secrets: (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
