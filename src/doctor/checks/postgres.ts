import type { PgAccountFacts, PgTargetFacts } from '../../db/pg/inspect.js';
import type { CheckResult, DoctorContext, LastRunFacts } from '../types.js';

/**
 * The database, lock and last-sync checks for a PostgreSQL target (the SQLite ones look at a
 * file): reachable, migrated, the account's lock holder, the account's state.
 */

export function pgDatabaseResult(facts: PgTargetFacts): CheckResult {
  if (!facts.reachable) {
    return { status: 'failure', summary: facts.problem, fix: { text: 'Check the server is up and the connection string right (the password belongs in ~/.pgpass or PGPASSWORD):', commands: [`psql '${facts.target}' -c 'SELECT 1'`] } };
  }
  if (facts.schemaVersion === null) {
    return { status: 'failure', summary: `${facts.target} holds tables that are not fathom-sync's`, fix: { text: 'Give fathom-sync a database of its own:', commands: ['createdb fathom_sync'] } };
  }
  if (facts.schemaVersion === 0) {
    return { status: 'warning', summary: `PostgreSQL ${facts.serverVersion} reachable; no fathom-sync tables yet in ${facts.target}`, fix: { text: 'The first sync creates them:', commands: ['fathom-sync run'] } };
  }
  if (facts.schemaVersion > facts.currentVersion) {
    return { status: 'failure', summary: `schema version ${facts.schemaVersion} is newer than this fathom-sync understands (${facts.currentVersion})`, fix: { text: 'A newer fathom-sync wrote this database; upgrade:', commands: ['npm install -g fathom-sync@latest'] } };
  }
  const accounts = facts.accounts.filter((a) => a.state.lastSuccessAt || a.lastRun).map((a) => `${a.account}: ${a.meetings} meetings`);
  return {
    status: facts.schemaVersion < facts.currentVersion ? 'warning' : 'ok',
    summary: `PostgreSQL ${facts.serverVersion}: ${facts.meetings ?? 0} meetings, schema v${facts.schemaVersion}${facts.schemaVersion < facts.currentVersion ? ` (the next sync upgrades it to v${facts.currentVersion})` : ''}`,
    details: [facts.target, ...(accounts.length ? [`accounts: ${accounts.join(', ')}`] : [])],
  };
}

export function pgAccount(facts: PgTargetFacts, account: string): PgAccountFacts | null {
  return facts.reachable ? (facts.accounts.find((a) => a.account === account) ?? null) : null;
}

export async function pgLockResult(ctx: DoctorContext, facts: PgTargetFacts): Promise<CheckResult> {
  if (!facts.reachable) return { status: 'skipped', summary: 'database unreachable' };
  const holder = pgAccount(facts, ctx.profile)?.lockHolder ?? null;
  return holder
    ? { status: 'ok', summary: `a sync of profile ${ctx.profile} is running now (${holder})`, details: ['a PostgreSQL advisory lock: it goes with its connection, so a crash never leaves it behind'] }
    : { status: 'ok', summary: `no sync of profile ${ctx.profile} running` };
}

/** The account's newest run and last success, as the last-sync check reads them from a SQLite file. */
export function pgLastRunFacts(facts: PgTargetFacts, account: string): LastRunFacts | null {
  const a = pgAccount(facts, account);
  if (!a) return null;
  return { lastSuccessAt: a.state.lastSuccessAt, lastRun: a.lastRun };
}
