import { inspectDatabaseFile, openDatabase } from '../db/database.js';
import { RunHistory, type RunRecord } from '../db/run-history.js';
import type { AppPaths } from '../core/paths.js';

/** How long a finished run took, in ms; null while it runs (or when a time is unreadable). */
export function runDurationMs(run: Pick<RunRecord, 'startedAt' | 'endedAt'>): number | null {
  const started = Date.parse(run.startedAt);
  const ended = run.endedAt ? Date.parse(run.endedAt) : NaN;
  return Number.isNaN(started) || Number.isNaN(ended) ? null : ended - started;
}

/**
 * The newest runs first, of one account or of all; null when there is no database yet. Opens
 * read-only (a SQLite file) or reads with one query (a PostgreSQL target).
 */
export async function recentRuns(target: Pick<AppPaths, 'database' | 'databaseUrl'>, limit: number, account?: string): Promise<RunRecord[] | null> {
  if (target.databaseUrl) {
    const { recentPgRuns } = await import('../db/pg/run-history.js');
    return recentPgRuns(target.databaseUrl, limit, account);
  }
  if (inspectDatabaseFile(target.database) !== 'sqlite') return null;
  const db = await openDatabase(target.database, { readonly: true });
  try {
    return new RunHistory(db).recent(limit, account);
  } finally {
    db.close();
  }
}
