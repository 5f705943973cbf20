/**
 * Where secrets live. Two backends implement this port: the OS keychain and, only with the
 * user's consent, a 0600 file. Each says where it keeps things (describe) so `connect` and
 * `status` can tell the user, and its name is recorded in config.json so a later (scheduled)
 * run reads the same backend.
 */

export type StoreBackend = 'keychain' | 'file';

export interface SecretStore {
  readonly backend: StoreBackend;
  /** A human description: "the OS keychain (Secret Service)", "the file /x/credentials.json". */
  describe(): string;
  /** Throws StoreUnavailableError when the backend cannot be used right now. */
  probe(): Promise<void>;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
}

/** The backend cannot be reached (no D-Bus, locked keyring, timeout, unwritable file). */
export class StoreUnavailableError extends Error {
  constructor(
    readonly backend: StoreBackend,
    readonly reason: string,
  ) {
    super(`the ${backend === 'keychain' ? 'OS keychain' : 'credential file'} cannot be used: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}

/** The keychain service name and the entry names ("accounts") inside it. */
export const KEYCHAIN_SERVICE = 'fathom-sync';
export { DEFAULT_PROFILE } from '../core/profile.js';

/** The credential (API key or OAuth tokens) of one profile. */
export function credentialAccount(profile: string): string {
  return profile;
}

/** The OAuth client secret of the app a profile connects with: stored like a token. */
export function clientSecretAccount(profile: string): string {
  return `${profile}:oauth-client-secret`;
}
