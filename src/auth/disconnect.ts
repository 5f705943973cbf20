import type { AppPaths } from '../core/paths.js';
import { readConfig, updateConfig } from '../core/config.js';
import { CredentialStoreError } from '../core/errors.js';
import { CredentialVault } from './stored-credential.js';
import { isStoreBackend, storeForBackend } from './store-selection.js';
import { StoreUnavailableError } from './secret-store.js';

export interface DisconnectOutcome {
  /** "the credential from the OS keychain (...)", one entry per store something was removed from. */
  removed: string[];
  /** The removed credential was an OAuth token (Fathom keeps the app's access until it is removed there). */
  wasOAuth: boolean;
  /**
   * With forgetApp: the other profiles still connected through the OAuth app, for which its
   * client id stays in config.json (the app's settings are shared by every profile).
   */
  appKeptFor: string[];
}

/**
 * Removes the profile's stored credential from wherever it is: the backend config.json records
 * first (its failure is an error, and nothing is changed), then any copy in the other one, best
 * effort; then the profile's entries in config.json (no other profile's). `forgetApp` also
 * removes the profile's copy of the OAuth app's client secret, and the app's client id unless
 * another profile still connects through OAuth.
 */
export async function removeStoredCredential(ctx: { paths: AppPaths; env: NodeJS.ProcessEnv; profile: string }, options: { forgetApp: boolean }): Promise<DisconnectOutcome> {
  const { paths, env, profile } = ctx;
  const config = readConfig(paths.configFile);
  const record = config.credentials?.[profile];
  const recordedBackend = isStoreBackend(record?.backend) ? record.backend : null;
  const backends = recordedBackend ? ([recordedBackend, recordedBackend === 'file' ? 'keychain' : 'file'] as const) : (['file', 'keychain'] as const);
  const removed: string[] = [];
  for (const backend of backends) {
    const store = storeForBackend(backend, { paths, env });
    const vault = new CredentialVault(store, profile);
    try {
      const what: string[] = [];
      if (await vault.deleteCredential()) what.push('the credential');
      if (options.forgetApp && (await vault.deleteClientSecret())) what.push("the OAuth app's client secret");
      if (what.length) removed.push(`${what.join(' and ')} from ${store.describe()}`);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      if (backend === recordedBackend) {
        throw new CredentialStoreError(`cannot remove the credential: ${err.message}; nothing was changed`, 'run disconnect where the keychain is reachable');
      }
      // The other backend is unreachable: it cannot hold anything we could use either.
    }
  }
  const appKeptFor = options.forgetApp
    ? Object.entries(config.credentials ?? {})
        .filter(([name, other]) => name !== profile && other?.kind === 'oauth')
        .map(([name]) => name)
    : [];
  const forgetClientId = options.forgetApp && config.oauth !== undefined && appKeptFor.length === 0;
  if (record || config.profiles?.[profile] || forgetClientId) {
    updateConfig(paths.configFile, (c) => {
      if (c.credentials) delete c.credentials[profile];
      if (c.profiles) delete c.profiles[profile];
      if (forgetClientId) delete c.oauth;
    });
  }
  return { removed, wasOAuth: record?.kind === 'oauth', appKeptFor };
}
