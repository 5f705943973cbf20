import type { AppContext } from '../core/context.js';
import { ExitCode } from '../core/errors.js';
import type { ProfileSummary } from '../auth/profiles.js';
import { renderTable } from './render/table.js';

export interface ProfilesFlags {
  json?: boolean;
  db?: string;
}

/**
 * `fathom-sync profiles`: every profile (Fathom account) with its credential, API URL, last sync
 * and whether a sync of it is running. Reads config.json, the credential stores and the database
 * (read-only); never a secret in the output. Exit 0 even when a profile has a problem: the table says which.
 */
export async function profilesCommand(flags: ProfilesFlags, ctx: AppContext): Promise<number> {
  const { listProfiles } = await import('../auth/profiles.js');
  const profiles = await listProfiles(ctx);
  const { output } = ctx;
  if (flags.json) {
    output.json(profiles);
    return ExitCode.ok;
  }
  if (profiles.length === 0) {
    output.result('No profiles yet. Connect one: fathom-sync connect (or fathom-sync connect --profile NAME for another account).');
    return ExitCode.ok;
  }
  output.result(formatProfiles(profiles));
  const problems = profiles.filter((p) => p.problem);
  for (const p of problems) output.result(`${p.name}: ${p.problem}`);
  if (ctx.env.FATHOM_API_URL?.trim()) {
    output.result(`FATHOM_API_URL is set: a run of one profile uses ${ctx.env.FATHOM_API_URL.trim()} instead of the URL above (run --all-profiles does not).`);
  }
  return ExitCode.ok;
}

/** "api key, keychain": how the profile is connected, or "no". */
function connection(p: ProfileSummary): string {
  if (!p.connected) return p.problem ? 'no (see below)' : 'no';
  const kind = p.auth_kind === 'oauth' ? 'oauth' : 'api key';
  const where = p.credential_store === 'environment' ? 'FATHOM_API_KEY' : (p.credential_store ?? '?');
  return `${kind}, ${where}`;
}

/** A stored time to the second: "2026-11-20 12:00:00Z". */
const shortTime = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

export function formatProfiles(profiles: readonly ProfileSummary[]): string {
  const rows = profiles.map((p) => {
    const state = p.state_note !== null;
    return [
      `${p.current ? '* ' : '  '}${p.name}`,
      connection(p),
      p.api_url_saved ? p.api_url : 'Fathom (default)',
      state ? '(see below)' : shortTime(p.last_success_at),
      state ? '' : p.last_error ? `${shortTime(p.last_error_at)} ${p.last_error}` : '-',
      state ? '' : shortTime(p.bookmark),
      p.sync_running === null ? '?' : p.running ? `yes, ${p.running}` : 'no',
    ];
  });
  const table = renderTable(
    [
      { header: '  PROFILE' },
      { header: 'CONNECTED' },
      { header: 'API URL', max: 48 },
      { header: 'LAST SUCCESS' },
      { header: 'LAST ERROR', max: 60 },
      { header: 'BOOKMARK' },
      { header: 'SYNC RUNNING' },
    ],
    rows,
  );
  const notes = [...new Set(profiles.flatMap((p) => (p.state_note ? [`The sync state cannot be read: ${p.state_note}`] : [])))];
  if (profiles.some((p) => p.current)) notes.push('* the profile this command ran for (--profile, FATHOM_SYNC_PROFILE, or default)');
  return [table, ...notes].join('\n');
}
