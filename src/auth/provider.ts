import { ChainedCredentialProvider, EnvApiKeyProvider, type CredentialProvider } from './credentials.js';
import { StoredCredentialProvider, type CredentialContext } from './stored-provider.js';

/**
 * The credential lookup every command uses, for the context's profile. FATHOM_API_KEY in the
 * environment always wins (for whichever one profile runs: `run --all-profiles` leaves it out);
 * the profile's stored credential (keychain or file, recorded in config.json by `connect`) comes next.
 */
export function credentialProviderFor(ctx: CredentialContext): CredentialProvider {
  return new ChainedCredentialProvider([new EnvApiKeyProvider(ctx.env), new StoredCredentialProvider(ctx)]);
}
