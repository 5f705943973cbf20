import type { AppContext } from '../core/context.js';
import type { CredentialStatus } from '../auth/credential-status.js';
import { ExitCode, errorMessage } from '../core/errors.js';
import { readConfig } from '../core/config.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import { configuredRecorders } from '../domain/recorders.js';

export interface StatusFlags {
  json?: boolean;
  db?: string;
  check?: boolean;
}

/** What `status` reports; also its --json shape. Never contains a secret. */
export interface StatusReport extends CredentialStatus {
  /** The profile (Fathom account) reported on. */
  profile: string;
  /** The API URL its runs use: FATHOM_API_URL, else the one connect saved, else Fathom's. */
  api_url: string;
  check: { ok: boolean; detail: string } | null;
  /** The SQLite file, or the PostgreSQL target (its password never shown). */
  database: string;
  database_kind: 'sqlite' | 'postgresql';
  /** false when a PostgreSQL target cannot be reached (`problem` says why). */
  database_reachable: boolean;
  database_exists: boolean;
  meeting_count: number | null;
  last_sync_at: string | null;
  last_run: { status: string; started_at: string; ended_at: string | null } | null;
  last_error: string | null;
  /** A backfill that stopped part way: this stretch is read by the coming incremental runs. */
  backfill_pending: { from: string | null; before: string } | null;
  /** Recorders outside the organisation every run also asks for (config add-recorder). */
  recorders: string[];
}

/**
 * `fathom-sync status`: connected or not, how, where the credential lives, token expiry, and
 * the database's size and last sync. Exit 4 when not connected. Reading a status never
 * refreshes a token; --check makes one API call (which may).
 */
export async function statusCommand(flags: StatusFlags, ctx: AppContext): Promise<number> {
  const { paths, output } = ctx;
  const { describeCredential, checkConnection } = await import('../auth/credential-status.js');
  const { assertKnownProfile } = await import('../auth/profile-names.js');
  const { apiSettings } = await import('../api/factory.js');
  assertKnownProfile(ctx);
  const report: StatusReport = {
    profile: ctx.profile,
    api_url: apiSettings(ctx).baseUrl,
    ...(await describeCredential(ctx)),
    check: null,
    database: paths.database,
    database_kind: paths.databaseUrl === null ? 'sqlite' : 'postgresql',
    database_reachable: true,
    database_exists: false,
    meeting_count: null,
    last_sync_at: null,
    last_run: null,
    last_error: null,
    backfill_pending: null,
    recorders: recordersOf(ctx),
  };
  let exitCode: number = report.connected ? ExitCode.ok : ExitCode.authRequired;
  if (flags.check && report.connected) {
    const checked = await checkConnection(ctx);
    report.check = checked.check;
    if (checked.tokenExpiresAt) report.token_expires_at = checked.tokenExpiresAt;
    exitCode = checked.exitCode;
  }
  await describeDatabase(paths, ctx.profile, report);

  if (output.jsonMode) output.json(report);
  else output.result(formatReport(report));
  return exitCode;
}

/** The recorders config.json names (what `config recorders` lists); none when it cannot be read (the credential part says why). */
function recordersOf(ctx: AppContext): string[] {
  try {
    const { recorders, invalid } = configuredRecorders(readConfig(ctx.paths.configFile).recorders);
    return [...recorders, ...invalid];
  } catch {
    return [];
  }
}

/**
 * The database, whichever the target (a SQLite file read read-only, or a PostgreSQL target
 * inspected without migrating or locking it): its size, and the profile's last sync, error and
 * unfinished backfill. A PostgreSQL target is shown without its password.
 */
async function describeDatabase(paths: AppContext['paths'], profile: string, report: StatusReport): Promise<void> {
  const { readTargetSummary } = await import('../db/target-summary.js');
  if (paths.databaseUrl !== null) report.database = (await import('../db/pg/connection.js')).describePgTarget(paths.databaseUrl);
  try {
    const summary = await readTargetSummary(paths, profile);
    if (!summary) return;
    report.database_exists = true;
    report.meeting_count = summary.meetingCount;
    report.last_sync_at = summary.lastSuccessAt;
    report.last_error = summary.lastError;
    report.last_run = summary.lastRun;
    report.backfill_pending = summary.backfillPending;
  } catch (err) {
    // A file that cannot be used exists; a PostgreSQL target that cannot be reached may not.
    if (paths.databaseUrl === null) report.database_exists = true;
    else report.database_reachable = false;
    report.problem = [report.problem, `database: ${errorMessage(err)}`].filter(Boolean).join('; ');
  }
}

export function formatReport(r: StatusReport): string {
  const kind = r.auth_kind === 'oauth' ? `OAuth${r.oauth_client_id ? ` (app ${r.oauth_client_id})` : ''}` : r.auth_kind === 'api_key' ? 'API key' : null;
  const lines = [`Profile:     ${r.profile}`, `Connected:   ${r.connected ? `yes, with ${kind}` : 'no'}`];
  if (r.credential_location) lines.push(`Credential:  ${r.credential_location}`);
  if (r.auth_kind === 'oauth') lines.push(`Token:       ${r.token_expires_at ? `valid until ${r.token_expires_at} (renews itself)` : 'no expiry given'}`);
  if (r.auth_kind === 'oauth' && r.oauth_redirect_uri) lines.push(`Redirect:    ${r.oauth_redirect_uri} (used by the next connect)`);
  if (r.connected_at) lines.push(`Saved:       ${r.connected_at}`);
  lines.push(`API:         ${r.api_url}`);
  if (r.check) lines.push(`Check:       ${r.check.ok ? `ok, ${r.check.detail}` : `failed: ${r.check.detail}`}`);
  if (r.problem) lines.push(`Problem:     ${r.problem}`);
  const size = !r.database_reachable ? ' (cannot be reached)' : r.database_exists ? ` (${r.meeting_count ?? '?'} meetings)` : ' (not created yet)';
  lines.push(`Database:    ${r.database}${size}`);
  if (r.database_exists) {
    lines.push(`Last sync:   ${r.last_sync_at ?? 'never'}${r.last_run && r.last_run.status !== 'ok' ? ` (last run: ${r.last_run.status})` : ''}`);
    if (r.last_error) lines.push(`Last error:  ${r.last_error}`);
    if (r.backfill_pending) {
      const from = r.backfill_pending.from?.slice(0, 10) ?? 'the beginning';
      lines.push(`Backfill:    unfinished; meetings from ${from} to ${r.backfill_pending.before.slice(0, 10)} are read by the next incremental runs`);
    }
  }
  if (r.recorders.length > 0) lines.push(`Recorders:   ${r.recorders.join(', ')} (outside your organisation: their shared calls are synced too)`);
  if (!r.connected) lines.push(`Run fathom-sync connect${r.profile === DEFAULT_PROFILE ? '' : ` --profile ${r.profile}`} (or set FATHOM_API_KEY) to connect.`);
  return lines.join('\n');
}
