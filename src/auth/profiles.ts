import type { AppContext } from '../core/context.js';
import { contextForProfile } from '../core/context.js';
import { readConfig } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import type { LockSystem } from '../core/lock-file.js';
import { DEFAULT_API_URL } from '../api/factory.js';
import { describeCredential, type CredentialStatus } from './credential-status.js';
import { knownProfileNames, savedApiUrl } from './profile-names.js';

/**
 * The profiles (Fathom accounts) this installation knows, and what `fathom-sync profiles` says of
 * each: its credential (never the secret), its API URL, its sync state in the database and
 * whether a sync of it is running. Knows nothing of flags or rendering.
 *
 * A profile is known from config.json (a credential `connect` saved, or its `profiles` entry) or
 * from the database (an account with sync state: a profile disconnected since still has its
 * meetings). `default` is listed only when it has a credential or data, like any other. The
 * database is SQLite (read-only, only if the file exists; run locks are files) or PostgreSQL
 * (inspected read-only; its account locks are advisory locks in the database).
 */

/** A profile's sync state in the database, as `profiles` shows it. */
export interface ProfileSyncState {
  bookmark: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

/**
 * What the database says of every account: `states` null (with the reason in `note`) when it
 * cannot say (a database that cannot be read or reached). `locks`: who holds each account's sync
 * lock, for a PostgreSQL target (its locks are in the database); null for SQLite, whose run locks
 * are files.
 */
export interface DatabaseStates {
  states: Map<string, ProfileSyncState> | null;
  note: string | null;
  locks: Map<string, string> | null;
}

/** Reads every account's sync state, read-only; never creates, migrates or locks the database. */
export async function readProfileStates(paths: AppContext['paths']): Promise<DatabaseStates> {
  if (paths.databaseUrl !== null) return readPostgresStates(paths.databaseUrl);
  const { inspectDatabaseFile } = await import('../db/database.js');
  if (inspectDatabaseFile(paths.database) !== 'sqlite') return { states: new Map(), note: null, locks: null };
  const { openReader } = await import('../db/read/open.js');
  const { readAllSyncStates } = await import('../db/sync-state.js');
  try {
    const reader = await openReader(paths.database);
    try {
      return { states: readAllSyncStates(reader.db), note: null, locks: null };
    } finally {
      reader.close();
    }
  } catch (err) {
    return { states: null, note: errorMessage(err), locks: null };
  }
}

async function readPostgresStates(url: string): Promise<DatabaseStates> {
  const { inspectPgTarget } = await import('../db/pg/inspect.js');
  const facts = await inspectPgTarget(url);
  if (!facts.reachable) return { states: null, note: `${facts.target}: ${facts.problem}`, locks: null };
  return {
    states: new Map(facts.accounts.map((a) => [a.account, a.state])),
    note: null,
    locks: new Map(facts.accounts.flatMap((a) => (a.lockHolder ? [[a.account, a.lockHolder] as const] : []))),
  };
}

/** One row of `fathom-sync profiles` (and its --json element). Never contains a secret. */
export interface ProfileSummary {
  name: string;
  /** The profile this command ran for (--profile, FATHOM_SYNC_PROFILE or `default`). */
  current: boolean;
  connected: boolean;
  auth_kind: CredentialStatus['auth_kind'];
  credential_store: CredentialStatus['credential_store'];
  credential_location: string | null;
  connected_at: string | null;
  problem: string | null;
  /** The API URL its runs use (FATHOM_API_URL, when set, still wins for a single-profile run). */
  api_url: string;
  api_url_saved: boolean;
  added_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  bookmark: string | null;
  /** Why the four fields above are null although there may be state (a database that cannot be read or reached). */
  state_note: string | null;
  /** A sync of this profile holds its lock now; null when that cannot be known (the database cannot be reached). */
  sync_running: boolean | null;
  /** Who runs it: "pid N since T" (SQLite: the run lock file), or the PostgreSQL connection holding the account's lock. */
  running: string | null;
}

export interface ListProfilesOptions {
  /** The machine's facts for reading run locks (tests stand in for it). */
  lockSystem?: LockSystem;
}

export async function listProfiles(ctx: AppContext, options: ListProfilesOptions = {}): Promise<ProfileSummary[]> {
  const config = readConfig(ctx.paths.configFile);
  const { states, note, locks } = await readProfileStates(ctx.paths);
  const names = knownProfileNames(config, states?.keys() ?? []);
  // FATHOM_API_KEY stands in for the credential of the one profile this command is for.
  if (ctx.env.FATHOM_API_KEY?.trim() && !names.includes(ctx.profile)) names.unshift(ctx.profile);
  const { describeOwner, inspectRunLock } = await import('../sync/run-lock.js');
  const summaries: ProfileSummary[] = [];
  for (const name of names) {
    const own = contextForProfile(ctx, name);
    const credential = await describeCredential(name === ctx.profile ? ctx : own);
    const state = states?.get(name);
    const apiUrl = savedApiUrl(config, name);
    let running: string | null = null;
    let syncRunning: boolean | null = null;
    if (ctx.paths.databaseUrl === null) {
      const lock = inspectRunLock(own.paths.lockFile, { clock: ctx.clock, ...(options.lockSystem ? { system: options.lockSystem } : {}) });
      syncRunning = lock.state === 'held';
      if (lock.state === 'held') running = describeOwner(lock.owner, options.lockSystem);
    } else if (locks) {
      running = locks.get(name) ?? null;
      syncRunning = running !== null;
    }
    summaries.push({
      name,
      current: name === ctx.profile,
      connected: credential.connected,
      auth_kind: credential.auth_kind,
      credential_store: credential.credential_store,
      credential_location: credential.credential_location,
      connected_at: credential.connected_at,
      problem: credential.problem,
      api_url: apiUrl ?? DEFAULT_API_URL,
      api_url_saved: apiUrl !== null,
      added_at: config.profiles?.[name]?.addedAt ?? null,
      last_success_at: state?.lastSuccessAt ?? null,
      last_error: state?.lastError ?? null,
      last_error_at: state?.lastErrorAt ?? null,
      bookmark: state?.bookmark ?? null,
      state_note: note,
      sync_running: syncRunning,
      running,
    });
  }
  return summaries;
}
