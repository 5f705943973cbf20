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
  /**
   * Candidates in order: the next is tried only when one answers like no token endpoint does
   * (404/405, a redirect, an HTML page): the wrong host, not a refusal.
   */
  tokenUrls: string[];
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export const TOKEN_TIMEOUT_MS = 30_000;

/** A candidate that answered like no OAuth token endpoint, and how ("answered 404"). */
interface WrongAnswer {
  url: string;
  said: string;
  /** A bare 404/405, which a lone URL reports as before (its body may be an OAuth error). */
  bareStatus: boolean;
}

export async function requestToken(options: TokenRequestOptions, grant: TokenGrant): Promise<{ token: TokenResponse; tokenUrl: string }> {
  const phase: OAuthPhase = grant.grant_type === 'refresh_token' ? 'refresh' : 'exchange';
  const secrets = [options.clientSecret, 'code' in grant ? grant.code : grant.refresh_token];
  const body = new URLSearchParams({ ...grant, client_id: options.clientId, client_secret: options.clientSecret });
  const doFetch = options.fetchImpl ?? fetch;
  const wrong: WrongAnswer[] = [];
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
        // Never followed: a redirect would re-send the form (secret, code) to wherever it points.
        // It is read as "not the token endpoint" instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? TOKEN_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (err) {
      // No retry: a refresh request that reached Fathom may already have spent the refresh token.
      throw new TemporaryError(`cannot reach the OAuth token endpoint ${originOf(tokenUrl)}: ${redact(describeFetchError(err), secrets)}${earlier(wrong)}`);
    }
    const answer = wrongEndpointAnswer(response, text);
    if (answer) {
      wrong.push({ url: tokenUrl, ...answer });
      if (!last) continue;
      if (wrong.length > 1) throw noTokenEndpoint(wrong);
      // A lone URL (pinned, or remembered): a bare 404/405 is interpreted below like any answer.
      if (!answer.bareStatus) throw new TokenEndpointError(`the OAuth token endpoint ${originOf(tokenUrl)} ${answer.said}`, 'check FATHOM_OAUTH_TOKEN_URL');
    }
    try {
      return { token: interpret(response.status, response.headers.get('content-type'), text, phase, tokenUrl, secrets), tokenUrl };
    } catch (err) {
      if (err instanceof TemporaryError && wrong.length > 0) throw new TemporaryError(`${err.message}${earlier(wrong)}`, err.fix);
      throw err;
    }
  }
  throw new TokenEndpointError('no OAuth token endpoint to try');
}

/**
 * How an answer shows the URL is not a token endpoint at all (Fathom has two candidate hosts and
 * one may serve its web app there): 404/405, a redirect (to a login page, most likely), or an
 * HTML page where JSON belongs. null for anything an OAuth server might say, its own failures
 * (5xx, 429, even as HTML) included: those are the right host answering.
 */
function wrongEndpointAnswer(response: Response, text: string): Omit<WrongAnswer, 'url'> | null {
  const { status } = response;
  if (status === 404 || status === 405) return { said: `answered ${status}`, bareStatus: true };
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location');
    return { said: `answered with a redirect (${status})${location ? ` to ${originOf(location, response.url || undefined)}` : ''}`, bareStatus: false };
  }
  if (status < 500 && status !== 429 && looksLikeHtml(response.headers.get('content-type'), text) && !parseJsonObject(text)) {
    return { said: `answered with an HTML page${status === 200 ? '' : ` (${status})`}`, bareStatus: false };
  }
  return null;
}

function describeWrong(wrong: WrongAnswer[]): string {
  return wrong.map((w) => `${originOf(w.url)} ${w.said}`).join('; ');
}

function noTokenEndpoint(wrong: WrongAnswer[]): TokenEndpointError {
  return new TokenEndpointError(
    `no OAuth token endpoint answered like one: ${describeWrong(wrong)}`,
    'set FATHOM_OAUTH_TOKEN_URL to the token URL of your Fathom app (see Fathom\'s OAuth documentation) and connect again',
  );
}

/** What the candidates tried before said, for an error about the one tried last. */
function earlier(wrong: WrongAnswer[]): string {
  if (wrong.length === 0) return '';
  return ` (before that, ${describeWrong(wrong)})`;
}

function looksLikeHtml(contentType: string | null, text: string): boolean {
  return /html/i.test(contentType ?? '') || /^\s*</.test(text);
}

function interpret(status: number, contentType: string | null, text: string, phase: OAuthPhase, tokenUrl: string, secrets: string[]): TokenResponse {
  const json = parseJsonObject(text);
  if (status >= 200 && status < 300) {
    if (!json) {
      const what = looksLikeHtml(contentType, text) ? 'an HTML page' : 'something that is not JSON';
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

/** Scheme, host and path of a URL: never its query, which may carry a code or a token. */
function originOf(url: string, base?: string): string {
  try {
    const u = new URL(url, base);
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
