import type { AppContext } from '../core/context.js';
import { ChainedCredentialProvider, EnvApiKeyProvider, type CredentialProvider } from './credentials.js';
import { StoredCredentialProvider } from './stored-provider.js';

/**
 * The credential lookup every command uses. FATHOM_API_KEY in the environment always wins;
 * stored credentials (keychain or file, recorded in config.json by `connect`) come next.
 */
export function credentialProviderFor(ctx: Pick<AppContext, 'paths' | 'env' | 'clock' | 'output'>): CredentialProvider {
  return new ChainedCredentialProvider([new EnvApiKeyProvider(ctx.env), new StoredCredentialProvider(ctx)]);
}
