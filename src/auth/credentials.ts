import type { ApiAuth } from '../api/auth.js';

export type { ApiAuth, AuthKind } from '../api/auth.js';

/**
 * Where a credential comes from: FATHOM_API_KEY, or what `connect` stored. Each provider
 * implements the API's ApiAuth port (src/api/auth.ts).
 */
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
