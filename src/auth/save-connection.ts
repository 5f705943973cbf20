import { updateConfig } from '../core/config.js';
import type { AppPaths } from '../core/paths.js';
import { FileStore } from './file-store.js';
import { CredentialVault, type StoredCredential } from './stored-credential.js';
import type { SecretStore } from './secret-store.js';

/**
 * Saves what `connect` obtained for a profile and records, in config.json, which backend holds it
 * (only the backend's name: config.json never holds a secret) and the profile's API URL. A copy
 * left in the plain-text file by an earlier connect is removed when the keychain takes over, so
 * it cannot shadow the keychain.
 */
export async function saveConnection(args: {
  paths: AppPaths;
  store: SecretStore;
  credential: StoredCredential;
  /** OAuth only: the app's client secret, stored beside the token so refreshes can use it. */
  clientSecret?: string;
  oauth?: { clientId: string; port: number; redirectUri: string; tokenUrl?: string };
  profile: string;
  /** The API URL the credential was checked against; null: Fathom's own (a saved one is removed). */
  apiUrl: string | null;
  now?: () => number;
}): Promise<void> {
  const { profile } = args;
  const savedAt = new Date((args.now ?? Date.now)()).toISOString();
  const vault = new CredentialVault(args.store, profile);
  await vault.saveCredential(args.credential);
  if (args.clientSecret) await vault.saveClientSecret(args.clientSecret);
  updateConfig(args.paths.configFile, (config) => {
    config.credentials = {
      ...config.credentials,
      [profile]: { backend: args.store.backend, kind: args.credential.kind, savedAt },
    };
    // addedAt is when the profile was first connected; a reconnect keeps it.
    const addedAt = config.profiles?.[profile]?.addedAt ?? savedAt;
    config.profiles = { ...config.profiles, [profile]: { ...(args.apiUrl ? { apiUrl: args.apiUrl } : {}), addedAt } };
    if (args.oauth) {
      config.oauth = {
        ...config.oauth,
        clientId: args.oauth.clientId,
        port: args.oauth.port,
        redirectUri: args.oauth.redirectUri,
        ...(args.oauth.tokenUrl ? { tokenUrl: args.oauth.tokenUrl } : {}),
      };
    }
  });
  if (args.store.backend === 'keychain') {
    const file = new CredentialVault(FileStore.inConfigDir(args.paths.configDir), profile);
    await file.deleteCredential().catch(() => false);
    if (args.clientSecret) await file.deleteClientSecret().catch(() => false);
  }
}
