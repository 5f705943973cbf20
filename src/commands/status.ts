import type { AppContext } from '../core/context.js';
import type { AppPaths } from '../core/paths.js';
import { readConfig } from '../core/config.js';
import { AuthRequiredError, ExitCode, errorMessage, exitCodeOf } from '../core/errors.js';

export interface StatusFlags {
  json?: boolean;
  db?: string;
  check?: boolean;
}

/** What `status` reports; also its --json shape. Never contains a secret. */
export interface StatusReport {
  connected: boolean;
  auth_kind: 'api_key' | 'oauth' | null;
  credential_store: 'environment' | 'keychain' | 'file' | null;
  credential_location: string | null;
  oauth_client_id: string | null;
  token_expires_at: string | null;
  connected_at: string | null;
  problem: string | null;
  check: { ok: boolean; detail: string } | null;
  database: string;
  database_exists: boolean;
  meeting_count: number | null;
  last_sync_at: string | null;
  last_run: { status: string; started_at: string; ended_at: string | null } | null;
  last_error: string | null;
  /** A backfill that stopped part way: this stretch is read by the coming incremental runs. */
  backfill_pending: { from: string | null; before: string } | null;
}

/**
 * `fathom-sync status`: connected or not, how, where the credential lives, token expiry, and
 * the database's size and last sync. Exit 4 when not connected. Reading a status never
 * refreshes a token; --check makes one API call (which may).
 */
export async function statusCommand(flags: StatusFlags, ctx: AppContext): Promise<number> {
  const { paths, output } = ctx;
  const report: StatusReport = {
    connected: false,
    auth_kind: null,
    credential_store: null,
    credential_location: null,
    oauth_client_id: null,
    token_expires_at: null,
    connected_at: null,
    problem: null,
    check: null,
    database: paths.database,
    database_exists: false,
    meeting_count: null,
    last_sync_at: null,
    last_run: null,
    last_error: null,
    backfill_pending: null,
  };
  await describeCredential(paths, ctx.env, report);
  let exitCode: number = report.connected ? ExitCode.ok : ExitCode.authRequired;
  if (flags.check && report.connected) exitCode = await checkConnection(ctx, report);
  await describeDatabase(paths, report);

  if (output.jsonMode) output.json(report);
  else output.result(formatReport(report));
  return exitCode;
}

async function describeCredential(paths: AppPaths, env: NodeJS.ProcessEnv, report: StatusReport): Promise<void> {
  const config = readConfig(paths.configFile);
  const { DEFAULT_PROFILE } = await import('../auth/secret-store.js');
  const record = config.credentials?.[DEFAULT_PROFILE];
  report.oauth_client_id = config.oauth?.clientId ?? null;
  if (env.FATHOM_API_KEY?.trim()) {
    Object.assign(report, { connected: true, auth_kind: 'api_key', credential_store: 'environment', credential_location: 'the environment variable FATHOM_API_KEY' });
    return;
  }
  if (!record) return;
  const { loadStoredCredential } = await import('../auth/stored-provider.js');
  const { recordedStore } = await import('../auth/store-selection.js');
  const store = recordedStore({ paths, env });
  report.credential_store = record.backend === 'file' ? 'file' : 'keychain';
  report.credential_location = store?.store.describe() ?? null;
  report.connected_at = record.savedAt ?? null;
  try {
    const loaded = await loadStoredCredential(paths, env);
    if (!loaded) {
      report.problem = `config.json says a credential is in ${report.credential_location}, but it is not there`;
      return;
    }
    report.connected = true;
    report.auth_kind = loaded.credential.kind;
    if (loaded.credential.kind === 'oauth') {
      report.oauth_client_id = loaded.credential.clientId;
      report.token_expires_at = loaded.credential.expiresAt === null ? null : new Date(loaded.credential.expiresAt).toISOString();
    }
  } catch (err) {
    report.problem = errorMessage(err);
  }
}

async function checkConnection(ctx: AppContext, report: StatusReport): Promise<number> {
  const { credentialProviderFor } = await import('../auth/provider.js');
  const { apiSettings, createApiClient } = await import('../api/factory.js');
  const { checkCredential, describeCheck } = await import('../api/credential-check.js');
  try {
    const auth = await credentialProviderFor(ctx).resolve();
    if (!auth) throw new AuthRequiredError('no credential');
    const check = await checkCredential(createApiClient({ settings: apiSettings(ctx), auth, clock: ctx.clock }));
    report.check = { ok: true, detail: describeCheck(check) };
    // The call may have renewed the token: show the current expiry.
    if (typeof auth.expiresAt === 'number') report.token_expires_at = new Date(auth.expiresAt).toISOString();
    return ExitCode.ok;
  } catch (err) {
    report.check = { ok: false, detail: errorMessage(err) };
    return exitCodeOf(err);
  }
}

async function describeDatabase(paths: AppPaths, report: StatusReport): Promise<void> {
  const { readDatabaseSummary } = await import('../db/inspect.js');
  try {
    const summary = await readDatabaseSummary(paths.database);
    if (!summary) return;
    report.database_exists = true;
    report.meeting_count = summary.meetingCount;
    report.last_sync_at = summary.lastSuccessAt;
    report.last_error = summary.lastError;
    report.last_run = summary.lastRun;
    report.backfill_pending = summary.backfillPending;
  } catch (err) {
    report.database_exists = true;
    report.problem = [report.problem, `database: ${errorMessage(err)}`].filter(Boolean).join('; ');
  }
}

export function formatReport(r: StatusReport): string {
  const kind = r.auth_kind === 'oauth' ? `OAuth${r.oauth_client_id ? ` (app ${r.oauth_client_id})` : ''}` : r.auth_kind === 'api_key' ? 'API key' : null;
  const lines = [`Connected:   ${r.connected ? `yes, with ${kind}` : 'no'}`];
  if (r.credential_location) lines.push(`Credential:  ${r.credential_location}`);
  if (r.auth_kind === 'oauth') lines.push(`Token:       ${r.token_expires_at ? `valid until ${r.token_expires_at} (renews itself)` : 'no expiry given'}`);
  if (r.connected_at) lines.push(`Saved:       ${r.connected_at}`);
  if (r.check) lines.push(`Check:       ${r.check.ok ? `ok, ${r.check.detail}` : `failed: ${r.check.detail}`}`);
  if (r.problem) lines.push(`Problem:     ${r.problem}`);
  lines.push(`Database:    ${r.database}${r.database_exists ? ` (${r.meeting_count ?? '?'} meetings)` : ' (not created yet)'}`);
  if (r.database_exists) {
    lines.push(`Last sync:   ${r.last_sync_at ?? 'never'}${r.last_run && r.last_run.status !== 'ok' ? ` (last run: ${r.last_run.status})` : ''}`);
    if (r.last_error) lines.push(`Last error:  ${r.last_error}`);
    if (r.backfill_pending) {
      const from = r.backfill_pending.from?.slice(0, 10) ?? 'the beginning';
      lines.push(`Backfill:    unfinished; meetings from ${from} to ${r.backfill_pending.before.slice(0, 10)} are read by the next incremental runs`);
    }
  }
  if (!r.connected) lines.push('Run fathom-sync connect (or set FATHOM_API_KEY) to connect.');
  return lines.join('\n');
}
