import type { AppContext } from '../core/context.js';
import { AuthRequiredError, UsageError } from '../core/errors.js';
import { readConfig } from '../core/config.js';
import { fixedBearer } from '../api/auth.js';
import { DEFAULT_API_URL, apiSettings, createApiClient, type ApiSettings } from '../api/factory.js';
import { checkCredential, type CredentialCheck } from '../api/credential-check.js';
import { buildAuthorizeUrl } from './authorize-url.js';
import { receiveAuthorization } from './redirect-flow.js';
import { listenPort, type RedirectTarget } from './redirect-uri.js';
import { createPkce } from './pkce.js';
import { createState } from './oauth-state.js';
import { resolveOAuthEndpoints } from './oauth-endpoints.js';
import { requestToken } from './token-client.js';
import { OAuthProviderError } from './oauth-errors.js';
import { saveConnection } from './save-connection.js';
import { CredentialVault, type StoredOAuthToken } from './stored-credential.js';
import type { SecretStore } from './secret-store.js';
import type { Interaction } from './interaction.js';

/**
 * `fathom-sync connect` with the user's own Fathom OAuth app: authorization code grant through
 * the registered redirect URI (loopback http or https, or an external https page; a pasted
 * address with --manual: redirect-flow.ts), exchanged with the client secret, checked with one
 * API call, then saved.
 */

/** What a connect needs of the application context: `profile` is the one connected. */
export type ConnectContext = Pick<AppContext, 'paths' | 'env' | 'output' | 'clock' | 'seams' | 'profile'>;

/**
 * The settings a connect checks the new credential with: the API URL it saves for the profile
 * (null: Fathom's own), never one an earlier connect saved.
 */
export function connectApiSettings(ctx: ConnectContext, apiUrl: string | null): ApiSettings {
  return { ...apiSettings(ctx), baseUrl: apiUrl ?? DEFAULT_API_URL };
}

export interface OAuthConnectRequest {
  interaction: Interaction;
  store: SecretStore;
  /** The API URL to check with and save for the profile; null: Fathom's own. */
  apiUrl: string | null;
  clientId: string;
  redirect: RedirectTarget;
  timeoutMs: number;
  openBrowser: boolean;
  manual: boolean;
}

export interface ConnectOutcome {
  kind: 'oauth' | 'api_key';
  clientId?: string;
  expiresAt?: number | null;
  store: SecretStore;
  check: CredentialCheck;
}

export async function connectWithOAuth(ctx: ConnectContext, req: OAuthConnectRequest): Promise<ConnectOutcome> {
  const { clientId, redirect } = req;
  const endpoints = resolveOAuthEndpoints(ctx.env, readConfig(ctx.paths.configFile), 'connect');
  const { secret: clientSecret, stored: secretWasStored } = await obtainClientSecret(ctx, req);
  // Exactly as registered, in the authorize URL and in the code exchange alike.
  const redirectUri = redirect.uri;
  const state = createState();
  const pkce = createPkce();
  const authorizeUrl = buildAuthorizeUrl({ authorizeUrl: endpoints.authorizeUrl, clientId, redirectUri, state, pkce });

  const complete = async (code: string): Promise<ConnectOutcome> => {
    const { token, tokenUrl } = await requestToken(
      { tokenUrls: endpoints.tokenUrls, clientId, clientSecret },
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pkce.verifier },
    ).catch((err: unknown) => {
      // A secret rotated in Fathom since the last connect: say which secret was used and how to give the new one.
      if (secretWasStored && err instanceof OAuthProviderError && err.code === 'invalid_client') {
        throw new OAuthProviderError(err.code, `${err.message}, using the client secret saved by an earlier connect`, STORED_SECRET_REJECTED_FIX);
      }
      throw err;
    });
    let check: CredentialCheck;
    try {
      check = await checkCredential(createApiClient({ settings: connectApiSettings(ctx, req.apiUrl), auth: fixedBearer(token.accessToken, 'the token just issued'), clock: ctx.clock }));
    } catch (err) {
      if (err instanceof AuthRequiredError) throw new AuthRequiredError('Fathom issued a token but then refused it (401); nothing was saved', 'run fathom-sync connect again');
      throw err;
    }
    const now = ctx.clock.now();
    const credential: StoredOAuthToken = {
      kind: 'oauth',
      accessToken: token.accessToken,
      refreshToken: token.refreshToken,
      expiresAt: token.expiresIn === null ? null : now + token.expiresIn * 1000,
      tokenType: token.tokenType,
      clientId,
      obtainedAt: now,
    };
    await saveConnection({
      paths: ctx.paths,
      profile: ctx.profile,
      apiUrl: req.apiUrl,
      store: req.store,
      credential,
      clientSecret,
      // Saved even when FATHOM_OAUTH_TOKEN_URL chose it: the hourly job, which has no such
      // variable, must renew the token where it was issued.
      oauth: { clientId, port: listenPort(redirect), redirectUri, tokenUrl },
    });
    return { kind: 'oauth', clientId, expiresAt: credential.expiresAt, store: req.store, check };
  };

  return receiveAuthorization({
    redirect,
    manual: req.manual,
    authorizeUrl,
    expectedState: state,
    timeoutMs: req.timeoutMs,
    openBrowser: req.openBrowser,
    complete,
    interaction: req.interaction,
    output: ctx.output,
    clock: ctx.clock,
  });
}

const STORED_SECRET_REJECTED_FIX =
  'run fathom-sync connect in a terminal and type the app\'s current client secret, or set FATHOM_CLIENT_SECRET (fathom-sync disconnect --forget-app removes the saved one)';

/**
 * The client secret, never from a flag: FATHOM_CLIENT_SECRET; else, at a terminal, a hidden
 * prompt where Enter keeps the one stored by an earlier connect of the same app (so a secret
 * rotated in Fathom can be replaced); else, without a terminal, the stored one (a re-connect from
 * a script never waits on stdin), else the first line of piped stdin.
 */
async function obtainClientSecret(ctx: ConnectContext, req: OAuthConnectRequest): Promise<{ secret: string; stored: boolean }> {
  const fromEnv = ctx.env.FATHOM_CLIENT_SECRET?.trim();
  if (fromEnv) return { secret: fromEnv, stored: false };
  const config = readConfig(ctx.paths.configFile);
  const stored = config.oauth?.clientId === req.clientId ? await new CredentialVault(req.store, ctx.profile).readClientSecret().catch(() => null) : null;
  if (req.interaction.canPrompt) {
    const hint = stored ? ' (Enter keeps the one saved earlier)' : '';
    const typed = (await req.interaction.hidden(`Client secret of your Fathom app ${req.clientId}${hint}:`)).trim();
    if (typed) return { secret: typed, stored: false };
    if (stored) return { secret: stored, stored: true };
  } else {
    if (stored) return { secret: stored, stored: true };
    ctx.output.info('Reading the client secret from the first line of stdin ...');
    const line = (await req.interaction.stdinLine())?.trim();
    if (line) return { secret: line, stored: false };
  }
  throw new UsageError('no client secret: set FATHOM_CLIENT_SECRET, pipe it on stdin, or run connect in a terminal to type it; nothing was saved');
}
