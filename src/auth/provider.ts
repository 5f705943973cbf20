import type { AppPaths } from '../core/paths.js';
import { ChainedCredentialProvider, EnvApiKeyProvider, type CredentialProvider } from './credentials.js';
import { StoredCredentialProvider } from './stored-provider.js';

/**
 * The credential lookup every command uses. FATHOM_API_KEY in the environment always wins;
 * stored credentials (keychain or file, recorded in config.json by `connect`) come next.
 */
export function defaultCredentialProvider(paths: AppPaths, env: NodeJS.ProcessEnv): CredentialProvider {
  return new ChainedCredentialProvider([new EnvApiKeyProvider(env), new StoredCredentialProvider(paths, env)]);
}
