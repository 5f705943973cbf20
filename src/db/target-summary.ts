import type { AppPaths } from '../core/paths.js';
import { readDatabaseSummary, type DatabaseSummary } from './inspect.js';

/**
 * What `status` says about the database of a profile, whichever the target: a SQLite file (read
 * read-only) or a PostgreSQL database (one look at it). null when there is no database yet.
 */
export async function readTargetSummary(paths: Pick<AppPaths, 'database' | 'databaseUrl'>, account: string): Promise<DatabaseSummary | null> {
  if (!paths.databaseUrl) return readDatabaseSummary(paths.database, account);
  const { inspectPgTarget } = await import('./pg/inspect.js');
  const facts = await inspectPgTarget(paths.databaseUrl, { accounts: [account] });
  if (!facts.reachable) throw new Error(facts.problem);
  if (!facts.schemaVersion) return null;
  const mine = facts.accounts.find((a) => a.account === account);
  return {
    meetingCount: facts.meetings ?? 0,
    lastSuccessAt: mine?.state.lastSuccessAt ?? null,
    lastError: mine?.state.lastError ?? null,
    lastRun: mine?.lastRun ? { status: mine.lastRun.status, started_at: mine.lastRun.startedAt, ended_at: mine.lastRun.endedAt } : null,
    backfillPending: mine?.backfillPending ?? null,
  };
}
