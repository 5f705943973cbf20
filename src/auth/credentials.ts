/**
 * The one seam between "who am I to Fathom" and everything that calls the API.
 *
 * The API client only sees an ApiAuth: it asks it for request headers and tells it when the
 * server answered 401. Where the credential came from (environment, keychain, file) and
 * whether it is an API key or an OAuth token that refreshes itself is the provider's
 * business. `connect` adds stored providers; FATHOM_API_KEY always wins.
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

export interface CredentialProvider {
  /** The credential to use, or null when this provider has none. */
  resolve(): Promise<ApiAuth | null>;
}

/** An API key sent as X-Api-Key. */
export class ApiKeyAuth implements ApiAuth {
  readonly kind = 'api_key' as const;
  readonly #key: string;
  constructor(
    key: string,
    readonly source: string,
  ) {
    this.#key = key;
  }
  async headers(): Promise<Record<string, string>> {
    return { 'X-Api-Key': this.#key };
  }
  async onUnauthorized(): Promise<boolean> {
    return false;
  }
  /** Keeps the key out of accidental JSON dumps and console.log of the object. */
  toJSON(): object {
    return { kind: this.kind, source: this.source };
  }
}

export class EnvApiKeyProvider implements CredentialProvider {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  async resolve(): Promise<ApiAuth | null> {
    const key = this.env.FATHOM_API_KEY?.trim();
    return key ? new ApiKeyAuth(key, 'environment (FATHOM_API_KEY)') : null;
  }
}

/** Tries providers in order; the first with a credential wins. */
export class ChainedCredentialProvider implements CredentialProvider {
  constructor(private readonly providers: CredentialProvider[]) {}
  async resolve(): Promise<ApiAuth | null> {
    for (const provider of this.providers) {
      const auth = await provider.resolve();
      if (auth) return auth;
    }
    return null;
  }
}
