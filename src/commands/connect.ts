import type { AppContext } from '../core/context.js';
import { readConfig } from '../core/config.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import { chooseRedirect, type RedirectTarget } from '../auth/redirect-uri.js';

/** Flags of `fathom-sync connect`, as commander hands them over. */
export interface ConnectFlags {
  /** true for `--api-key`; a string means someone put the key itself on the command line. */
  apiKey?: boolean | string;
  clientId?: string;
  port?: string;
  redirectUri?: string;
  timeout?: string;
  browser?: boolean;
  manual?: boolean;
  insecureStorage?: boolean;
  /** The Fathom API this profile's credential is for (default: FATHOM_API_URL, else Fathom's own). */
  apiUrl?: string;
  /** Traps: secrets are never accepted as flags (they would show in `ps` and shell history). */
  clientSecret?: boolean | string;
  secret?: boolean | string;
  token?: boolean | string;
  accessToken?: boolean | string;
  refreshToken?: boolean | string;
}

export const DEFAULT_LOGIN_TIMEOUT_S = 300;

export interface ParsedConnect {
  mode: 'oauth' | 'api_key';
  clientId: string | null;
  /** Where the browser is sent back to; null with --api-key. */
  redirect: RedirectTarget | null;
  timeoutMs: number;
  manual: boolean;
  browser: boolean;
  insecureStorage: boolean;
  /** The API URL to check the credential with and save for the profile; null: Fathom's own. */
  apiUrl: string | null;
}

/** Every problem with the flags is a UsageError (exit 2) before anything is read or stored. */
/** What an earlier connect remembered in config.json. */
export interface SavedOAuth {
  clientId?: string;
  port?: number;
  redirectUri?: string;
}

export function parseConnectFlags(flags: ConnectFlags, extraArgs: string[], env: NodeJS.ProcessEnv, saved: SavedOAuth = {}): ParsedConnect {
  for (const [flag, value] of [
    ['--client-secret', flags.clientSecret],
    ['--secret', flags.secret],
    ['--token', flags.token],
    ['--access-token', flags.accessToken],
    ['--refresh-token', flags.refreshToken],
  ] as const) {
    if (value !== undefined) {
      throw new UsageError(`${flag} is not accepted: secrets never go on the command line (they end up in shell history and ps). Use FATHOM_CLIENT_SECRET, pipe it on stdin, or type it at the prompt`);
    }
  }
  if (typeof flags.apiKey === 'string') {
    throw new UsageError('the API key is never taken from the command line (it would end up in shell history and ps): run `fathom-sync connect --api-key` and type it, or pipe it on stdin; nothing was saved');
  }
  if (extraArgs.length > 0) {
    throw new UsageError('connect takes no arguments (secrets are never read from the command line); see fathom-sync connect --help');
  }
  const mode = flags.apiKey ? 'api_key' : 'oauth';
  if (mode === 'api_key' && (flags.clientId !== undefined || flags.manual || flags.port !== undefined || flags.redirectUri !== undefined)) {
    throw new UsageError('--api-key cannot be combined with --client-id, --port, --redirect-uri or --manual');
  }
  const apiUrl = chooseApiUrl(flags.apiUrl, env);
  const port = flags.port === undefined ? undefined : parsePort(flags.port);
  const timeoutMs = flags.timeout === undefined ? DEFAULT_LOGIN_TIMEOUT_S * 1000 : parseTimeout(flags.timeout);
  let clientId: string | null = null;
  let redirect: RedirectTarget | null = null;
  if (mode === 'oauth') {
    redirect = chooseRedirect({
      ...(flags.redirectUri !== undefined ? { redirectUri: flags.redirectUri } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(saved.redirectUri ? { savedRedirectUri: saved.redirectUri } : {}),
      ...(saved.port !== undefined ? { savedPort: saved.port } : {}),
    });
    clientId = (flags.clientId ?? env.FATHOM_CLIENT_ID ?? saved.clientId ?? '').trim() || null;
    if (flags.clientId !== undefined && !flags.clientId.trim()) throw new UsageError('--client-id is empty');
    if (!clientId) {
      throw new UsageError(
        'no OAuth client id: pass --client-id or set FATHOM_CLIENT_ID (from your app at https://fathom.video/marketplace_applications/new), or connect with --api-key',
      );
    }
  }
  return {
    mode,
    clientId,
    redirect,
    timeoutMs,
    manual: Boolean(flags.manual),
    browser: flags.browser !== false,
    insecureStorage: Boolean(flags.insecureStorage),
    apiUrl,
  };
}

/**
 * The API URL a connect saves for its profile: --api-url, else FATHOM_API_URL, else none (Fathom's
 * own; a URL saved by an earlier connect is removed). An http(s) URL without a user or password
 * (config.json holds no secret).
 */
export function chooseApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const [value, where] = flag !== undefined ? [flag, '--api-url'] : [env.FATHOM_API_URL, 'FATHOM_API_URL'];
  const text = value?.trim();
  if (!text) {
    if (flag !== undefined) throw new UsageError('--api-url is empty');
    return null;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${where} "${text.slice(0, 100)}" is not a URL (e.g. https://api.fathom.ai/external/v1)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${where} must be an http:// or https:// URL (got ${url.protocol})`);
  if (url.username || url.password) throw new UsageError(`${where} must not contain a user name or password; nothing was saved`);
  return text;
}

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--port must be a number from 1 to 65535 (got "${value}")`);
  const n = Number(value);
  if (n === 0) throw new UsageError('--port 0 is not allowed: Fathom only redirects to the exact URI registered with the app, so the port must be fixed');
  if (n > 65535) throw new UsageError(`--port must be a number from 1 to 65535 (got ${value})`);
  return n;
}

export function parseTimeout(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || n > 24 * 3600) throw new UsageError(`--timeout must be a number of seconds from 1 to 86400 (got "${value}")`);
  return Math.round(n * 1000);
}

export async function connectCommand(flags: ConnectFlags, extraArgs: string[], ctx: AppContext): Promise<number> {
  const { paths, output, env, stdin } = ctx;
  const config = readConfig(paths.configFile);
  const parsed = parseConnectFlags(flags, extraArgs, env, config.oauth ?? {});
  const { createInteraction } = await import('../auth/interaction.js');
  const { chooseStoreForSaving } = await import('../auth/store-selection.js');
  const interaction = createInteraction(stdin, output.streams.stderr);

  if (env.FATHOM_API_KEY?.trim()) {
    output.warn('FATHOM_API_KEY is set: as long as it is, it is used instead of the credential saved now');
  }
  const envUrl = env.FATHOM_API_URL?.trim();
  if (flags.apiUrl !== undefined && envUrl && envUrl !== parsed.apiUrl) {
    output.warn(`FATHOM_API_URL is set: as long as it is, runs of this profile use ${envUrl} instead of --api-url`);
  }
  try {
    // Before the browser opens (or the key is typed): a fresh credential must never be lost
    // to an unusable store.
    const store = await chooseStoreForSaving({
      paths,
      env,
      insecureStorage: parsed.insecureStorage,
      askConsent: interaction.canPrompt
        ? (reason, file) => interaction.confirm(`The OS keychain cannot be used (${reason}). Save the credentials in plain text in ${file} instead?`, false)
        : null,
      warn: (m) => output.warn(m),
    });
    let outcome;
    if (parsed.mode === 'api_key') {
      const { connectWithApiKey } = await import('../auth/connect-api-key.js');
      outcome = await connectWithApiKey(ctx, { interaction, store, apiUrl: parsed.apiUrl });
    } else {
      const { connectWithOAuth } = await import('../auth/connect-oauth.js');
      outcome = await connectWithOAuth(ctx, {
        interaction,
        store,
        apiUrl: parsed.apiUrl,
        clientId: parsed.clientId!,
        redirect: parsed.redirect!,
        timeoutMs: parsed.timeoutMs,
        manual: parsed.manual,
        // A browser only for a person at a terminal; the URL is printed either way.
        openBrowser: parsed.browser && !parsed.manual && Boolean(stdin.isTTY) && Boolean(output.streams.stdout.isTTY),
      });
    }
    const { describeCheck } = await import('../api/credential-check.js');
    const how = outcome.kind === 'api_key' ? 'an API key' : `OAuth (app ${outcome.clientId})`;
    const expiry = outcome.kind === 'oauth' && outcome.expiresAt ? `; the access token renews itself (current one valid until ${new Date(outcome.expiresAt).toISOString()})` : '';
    const named = ctx.profile === DEFAULT_PROFILE ? '' : ` as profile ${ctx.profile}`;
    output.result(`Connected to Fathom${named} with ${how}. ${describeCheck(outcome.check)}.`);
    output.result(`Credential stored in ${outcome.store.describe()}${expiry}.`);
    if (parsed.apiUrl) output.result(`API URL saved for this profile: ${parsed.apiUrl}.`);
    output.info(`Next: fathom-sync run${named ? ` --profile ${ctx.profile}` : ''}`);
    return ExitCode.ok;
  } finally {
    interaction.close();
  }
}
