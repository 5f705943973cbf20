import type { SecretStore } from './secret-store.js';
import { DEFAULT_PROFILE, clientSecretAccount, credentialAccount } from './secret-store.js';

/**
 * What `connect` saves for a profile, as one secret entry (JSON). The OAuth client secret is a
 * separate entry of the same store so that `disconnect` can keep the app while dropping tokens.
 */
export type StoredCredential = StoredApiKey | StoredOAuthToken;

export interface StoredApiKey {
  kind: 'api_key';
  apiKey: string;
}

export interface StoredOAuthToken {
  kind: 'oauth';
  accessToken: string;
  /** Single-use; null when the provider never sent one (then the token cannot be renewed). */
  refreshToken: string | null;
  /** Epoch ms; null when the provider gave no expires_in. */
  expiresAt: number | null;
  tokenType: string;
  clientId: string;
  /** Epoch ms of the grant or refresh that produced this access token. */
  obtainedAt: number;
}

const FORMAT_VERSION = 1;

export function serializeCredential(credential: StoredCredential): string {
  return JSON.stringify({ v: FORMAT_VERSION, ...credential });
}

/** Parses a stored entry; never puts its content in an error message, since it is a secret. */
export function parseCredential(text: string): StoredCredential {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('the stored credential is not in a format this fathom-sync understands');
  }
  const str = (key: string): string | null => (typeof raw[key] === 'string' && raw[key] !== '' ? (raw[key] as string) : null);
  const num = (key: string): number | null => (typeof raw[key] === 'number' && Number.isFinite(raw[key]) ? (raw[key] as number) : null);
  if (raw.kind === 'api_key' && str('apiKey')) return { kind: 'api_key', apiKey: str('apiKey')! };
  if (raw.kind === 'oauth' && str('accessToken') && str('clientId')) {
    return {
      kind: 'oauth',
      accessToken: str('accessToken')!,
      refreshToken: str('refreshToken'),
      expiresAt: num('expiresAt'),
      tokenType: str('tokenType') ?? 'Bearer',
      clientId: str('clientId')!,
      obtainedAt: num('obtainedAt') ?? 0,
    };
  }
  throw new Error('the stored credential is incomplete or of an unknown kind');
}

/** One profile's secrets in one store. */
export class CredentialVault {
  constructor(
    readonly store: SecretStore,
    readonly profile: string = DEFAULT_PROFILE,
  ) {}

  async readCredential(): Promise<StoredCredential | null> {
    const text = await this.store.get(credentialAccount(this.profile));
    return text === null ? null : parseCredential(text);
  }

  async saveCredential(credential: StoredCredential): Promise<void> {
    await this.store.set(credentialAccount(this.profile), serializeCredential(credential));
  }

  async deleteCredential(): Promise<boolean> {
    return this.store.delete(credentialAccount(this.profile));
  }

  async readClientSecret(): Promise<string | null> {
    return this.store.get(clientSecretAccount(this.profile));
  }

  async saveClientSecret(secret: string): Promise<void> {
    await this.store.set(clientSecretAccount(this.profile), secret);
  }

  async deleteClientSecret(): Promise<boolean> {
    return this.store.delete(clientSecretAccount(this.profile));
  }
}
