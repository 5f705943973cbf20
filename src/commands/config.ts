import path from 'node:path';
import type { AppContext } from '../core/context.js';
import { readConfig, updateConfig } from '../core/config.js';
import { isPostgresUrl, resolvePaths } from '../core/paths.js';
import { refusePgPassword } from '../schedule/job.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { configuredRecorders, isEmailAddress, normalizeRecorder } from '../domain/recorders.js';

/**
 * `fathom-sync config`: settings kept in config.json: the database (set-db), and recorders outside
 * your organisation: Fathom leaves the calls they record and share with you out of every listing that
 * does not name them in recorded_by[] (the spec: without it, "calls from users external to your
 * Org will not be returned"), so every run, the hourly job included, also asks for theirs.
 */

export interface ConfigFlags {
  json?: boolean;
}

/** The address as given, refused (exit 2) unless it is one. */
function recorderArgument(email: string): string {
  const trimmed = email.trim();
  if (!isEmailAddress(trimmed)) throw new UsageError(`"${email}" is not an email address (expected name@domain)`);
  return normalizeRecorder(trimmed);
}

/** The recorders config.json names (entries that are not addresses included, so they can be removed). */
function recordersIn(value: unknown): string[] {
  const { recorders, invalid } = configuredRecorders(value);
  return [...recorders, ...invalid];
}

export async function addRecorderCommand(email: string, flags: ConfigFlags, ctx: AppContext): Promise<number> {
  const recorder = recorderArgument(email);
  let added = false;
  const config = updateConfig(ctx.paths.configFile, (c) => {
    const list = recordersIn(c.recorders);
    added = !list.includes(recorder);
    c.recorders = added ? [...list, recorder] : list;
  });
  const recorders = recordersIn(config.recorders);
  if (flags.json) ctx.output.json({ recorders, added });
  else if (added) {
    ctx.output.result(`Added ${recorder}: every run now also asks Fathom for the calls they recorded and shared with you (recorded_by[]).`);
    ctx.output.result('Run fathom-sync run --all once to fetch their older calls; the hourly job keeps them current.');
  } else ctx.output.result(`${recorder} is already in the list; nothing changed.`);
  return ExitCode.ok;
}

export async function removeRecorderCommand(email: string, flags: ConfigFlags, ctx: AppContext): Promise<number> {
  // An entry that is not an address (config.json edited by hand) can be removed as written.
  const stored = recordersIn(readConfig(ctx.paths.configFile).recorders);
  const recorder = stored.includes(email) ? email : recorderArgument(email);
  const removed = stored.includes(recorder);
  if (removed) {
    updateConfig(ctx.paths.configFile, (c) => {
      c.recorders = recordersIn(c.recorders).filter((r) => r !== recorder);
    });
  }
  const recorders = stored.filter((r) => r !== recorder);
  if (flags.json) ctx.output.json({ recorders, removed });
  else if (removed) ctx.output.result(`Removed ${recorder}; the meetings already synced stay in the database.`);
  else ctx.output.result(`${recorder} was not in the list; nothing changed.`);
  return ExitCode.ok;
}

export async function listRecordersCommand(flags: ConfigFlags, ctx: AppContext): Promise<number> {
  const recorders = recordersIn(readConfig(ctx.paths.configFile).recorders);
  if (flags.json) ctx.output.json({ recorders });
  else if (recorders.length === 0) ctx.output.result('No recorders outside your organisation. fathom-sync config add-recorder EMAIL adds one.');
  else for (const r of recorders) ctx.output.result(r);
  return ExitCode.ok;
}

/** How a saved database setting is shown: a file as is, a connection string without a password. */
async function describeDatabaseSetting(value: string): Promise<string> {
  if (!isPostgresUrl(value)) return value;
  const { describePgTarget } = await import('../db/pg/connection.js');
  return describePgTarget(value);
}

/**
 * `fathom-sync config set-db DATABASE`: the database of every command that names none (no --db,
 * no FATHOM_SYNC_DB), the hourly job included: a SQLite file (saved as an absolute path) or a
 * PostgreSQL connection string (saved as given; one with a password is refused: ~/.pgpass holds that).
 */
export async function setDatabaseCommand(database: string, flags: ConfigFlags, ctx: AppContext): Promise<number> {
  const given = database.trim();
  if (!given) throw new UsageError('config set-db needs a database: a file, or postgres://user@host/db');
  let saved: string;
  if (isPostgresUrl(given)) {
    refusePgPassword(given, 'the connection string');
    saved = given;
  } else saved = path.resolve(given);
  updateConfig(ctx.paths.configFile, (c) => {
    c.database = saved;
  });
  const shown = await describeDatabaseSetting(saved);
  if (flags.json) ctx.output.json({ database: shown, kind: isPostgresUrl(saved) ? 'postgresql' : 'sqlite' });
  else {
    ctx.output.result(`The database is now ${shown}, for every command without --db or FATHOM_SYNC_DB (the hourly job included).`);
    if (ctx.env.FATHOM_SYNC_DB?.trim()) ctx.output.warn('FATHOM_SYNC_DB is set in this environment: as long as it is, it is used instead');
  }
  return ExitCode.ok;
}

/** `fathom-sync config unset-db`: back to the default database file. */
export async function unsetDatabaseCommand(flags: ConfigFlags, ctx: AppContext): Promise<number> {
  const had = readConfig(ctx.paths.configFile).database;
  if (had !== undefined) {
    updateConfig(ctx.paths.configFile, (c) => {
      delete c.database;
    });
  }
  const { FATHOM_SYNC_DB: _db, ...env } = ctx.env;
  const defaultFile = resolvePaths({}, { env, platform: ctx.platform, homedir: ctx.user.home }).database;
  if (flags.json) ctx.output.json({ removed: had !== undefined, database: defaultFile });
  else ctx.output.result(had !== undefined ? `The database is the default file again: ${defaultFile}.` : `No database was set; the default file is ${defaultFile}.`);
  return ExitCode.ok;
}
