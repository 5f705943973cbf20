import type { AppContext } from '../core/context.js';
import { readConfig } from '../core/config.js';
import { AuthRequiredError, ExitCode, errorMessage, exitCodeOf } from '../core/errors.js';
import { loadStoredCredential, type CredentialContext } from './stored-provider.js';
import { recordedStore } from './store-selection.js';
import { redirectUriFor } from './oauth-endpoints.js';

/**
 * What `status` says about the credential: connected or not, how, where it lives, when the
 * OAuth token expires. Reading it never renews a token; checkConnection makes one API call, which may.
 */
export interface CredentialStatus {
  connected: boolean;
  auth_kind: 'api_key' | 'oauth' | null;
  credential_store: 'environment' | 'keychain' | 'file' | null;
  credential_location: string | null;
  oauth_client_id: string | null;
  /** The redirect URI the last OAuth connect used (what the app must have registered). */
  oauth_redirect_uri: string | null;
  token_expires_at: string | null;
  connected_at: string | null;
  problem: string | null;
}

/** The profile's credential; FATHOM_API_KEY in `env` stands for it when set. */
export async function describeCredential(ctx: Pick<AppContext, 'paths' | 'env' | 'profile'>): Promise<CredentialStatus> {
  const { paths, env, profile } = ctx;
  const config = readConfig(paths.configFile);
  const record = config.credentials?.[profile];
  const status: CredentialStatus = {
    connected: false,
    auth_kind: null,
    credential_store: null,
    credential_location: null,
    oauth_client_id: config.oauth?.clientId ?? null,
    // Connects from before --redirect-uri remembered only the port.
    oauth_redirect_uri: config.oauth?.redirectUri ?? (config.oauth?.port ? redirectUriFor(config.oauth.port) : null),
    token_expires_at: null,
    connected_at: null,
    problem: null,
  };
  if (env.FATHOM_API_KEY?.trim()) {
    return { ...status, connected: true, auth_kind: 'api_key', credential_store: 'environment', credential_location: 'the environment variable FATHOM_API_KEY' };
  }
  if (!record) return status;
  status.credential_store = record.backend === 'file' ? 'file' : 'keychain';
  status.credential_location = recordedStore({ paths, env }, profile)?.store.describe() ?? null;
  status.connected_at = record.savedAt ?? null;
  try {
    const loaded = await loadStoredCredential(paths, env, profile);
    if (!loaded) {
      status.problem = `config.json says a credential is in ${status.credential_location}, but it is not there`;
      return status;
    }
    status.connected = true;
    status.auth_kind = loaded.credential.kind;
    if (loaded.credential.kind === 'oauth') {
      status.oauth_client_id = loaded.credential.clientId;
      status.token_expires_at = loaded.credential.expiresAt === null ? null : new Date(loaded.credential.expiresAt).toISOString();
    }
  } catch (err) {
    status.problem = errorMessage(err);
  }
  return status;
}

export interface ConnectionCheck {
  check: { ok: boolean; detail: string };
  /** The expiry after the call, which may have renewed the token. */
  tokenExpiresAt: string | null;
  exitCode: number;
}

/** One API call with the credential every run would use (`status --check`). */
export async function checkConnection(ctx: CredentialContext & Pick<AppContext, 'seams' | 'profile'>): Promise<ConnectionCheck> {
  const { credentialProviderFor } = await import('./provider.js');
  const { apiSettings, createApiClient } = await import('../api/factory.js');
  const { checkCredential, describeCheck } = await import('../api/credential-check.js');
  try {
    const auth = await credentialProviderFor(ctx).resolve();
    if (!auth) throw new AuthRequiredError('no credential');
    const check = await checkCredential(createApiClient({ settings: apiSettings(ctx), auth, clock: ctx.clock }));
    return {
      check: { ok: true, detail: describeCheck(check) },
      tokenExpiresAt: typeof auth.expiresAt === 'number' ? new Date(auth.expiresAt).toISOString() : null,
      exitCode: ExitCode.ok,
    };
  } catch (err) {
    return { check: { ok: false, detail: errorMessage(err) }, tokenExpiresAt: null, exitCode: exitCodeOf(err) };
  }
}
