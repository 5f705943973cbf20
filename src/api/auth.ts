/**
 * The port between "who am I to Fathom" and the API client. The client only sees an ApiAuth: it
 * asks it for request headers and tells it when the server answered 401. Where the credential
 * came from (environment, keychain, file) and whether it is an API key or an OAuth token that
 * renews itself is the credential layer's business (src/auth), which implements this port.
 */

export type AuthKind = 'api_key' | 'oauth';

export interface ApiAuth {
  readonly kind: AuthKind;
  /** Human description of where the credential lives ("environment (FATHOM_API_KEY)", "keychain"...). */
  readonly source: string;
  /** Headers to send with one request. May refresh an OAuth token that is about to expire. */
  headers(): Promise<Record<string, string>>;
  /**
   * Called once after a 401. Returns true when a new credential is available and the request
   * is worth retrying (an OAuth refresh), false when the credential is simply rejected.
   */
  onUnauthorized(): Promise<boolean>;
  /** Epoch ms the credential expires at; absent or null when it does not expire or nobody said. */
  readonly expiresAt?: number | null;
  /** False when an expiring credential cannot renew itself (an OAuth token with no refresh token). */
  readonly renewable?: boolean;
}

/** A fixed bearer token that is never renewed: the check right after a code exchange, before anything is saved. */
export function fixedBearer(accessToken: string, source: string): ApiAuth {
  return {
    kind: 'oauth',
    source,
    headers: async () => ({ Authorization: `Bearer ${accessToken}` }),
    onUnauthorized: async () => false,
  };
}
