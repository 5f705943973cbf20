import type { AppPaths } from '../core/paths.js';
import type { AppContext } from '../core/context.js';
import { AuthRequiredError } from '../core/errors.js';
import { readConfig, updateConfig } from '../core/config.js';
import { ApiKeyAuth, type ApiAuth, type CredentialProvider } from './credentials.js';
import { CredentialVault, type StoredCredential } from './stored-credential.js';
import { DEFAULT_PROFILE, StoreUnavailableError } from './secret-store.js';
import { recordedStore } from './store-selection.js';
import { OAuthAuth } from './oauth-auth.js';
import { resolveOAuthEndpoints } from './oauth-endpoints.js';
import { refreshLockPath } from './refresh-lock.js';

/**
 * What a credential lookup needs of the context. `profile` is optional only for contexts typed
 * before profiles existed (the sync job's Pick); they are handed the whole AppContext at run time,
 * and one without a profile is `default`'s.
 */
export type CredentialContext = Pick<AppContext, 'paths' | 'env' | 'clock' | 'output'> & Partial<Pick<AppContext, 'profile'>>;

/** The profile a credential context is for. */
export function profileOf(ctx: Partial<Pick<AppContext, 'profile'>>): string {
  return ctx.profile ?? DEFAULT_PROFILE;
}

/** The credential `connect` saved for the context's profile, read from the backend config.json records. */
export class StoredCredentialProvider implements CredentialProvider {
  constructor(private readonly ctx: CredentialContext) {}

  async resolve(): Promise<ApiAuth | null> {
    const { paths, env, output } = this.ctx;
    const loaded = await loadStoredCredential(paths, env, profileOf(this.ctx));
    if (!loaded) return null;
    const { credential, vault } = loaded;
    const source = vault.store.describe();
    if (credential.kind === 'api_key') return new ApiKeyAuth(credential.apiKey, source);
    const configFile = paths.configFile;
    return new OAuthAuth({
      vault,
      credential,
      source,
      lockFile: refreshLockPath(paths.stateDir),
      tokenUrls: resolveOAuthEndpoints(env, readConfig(configFile)).tokenUrls,
      clock: this.ctx.clock,
      ...(env.FATHOM_CLIENT_SECRET ? { envClientSecret: env.FATHOM_CLIENT_SECRET } : {}),
      onRefreshWait: () => output.debug('waiting for another process to finish renewing the OAuth token'),
      onTokenUrl: (url) => {
        if (env.FATHOM_OAUTH_TOKEN_URL) return;
        if (readConfig(configFile).oauth?.tokenUrl === url) return;
        updateConfig(configFile, (c) => {
          c.oauth = { ...c.oauth, tokenUrl: url };
        });
      },
    });
  }
}

/**
 * Reads the stored credential. null when none is recorded or the entry is gone; an
 * AuthRequiredError (exit 4) when the store cannot be read, saying why.
 */
export async function loadStoredCredential(
  paths: AppPaths,
  env: NodeJS.ProcessEnv,
  profile: string,
): Promise<{ credential: StoredCredential; vault: CredentialVault } | null> {
  const recorded = recordedStore({ paths, env }, profile);
  if (!recorded) return null;
  const vault = new CredentialVault(recorded.store, profile);
  try {
    const credential = await vault.readCredential();
    return credential ? { credential, vault } : null;
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      throw new AuthRequiredError(
        `cannot read the Fathom credential from ${recorded.store.describe()}: ${err.reason}`,
        recorded.store.backend === 'keychain'
          ? 'run where the keychain is reachable (set DBUS_SESSION_BUS_ADDRESS for cron), or store it in a file: FATHOM_SYNC_TOKEN_STORE=file fathom-sync connect'
          : 'fathom-sync connect',
      );
    }
    throw new AuthRequiredError(`the stored Fathom credential cannot be used: ${(err as Error).message}`, 'fathom-sync connect');
  }
}
