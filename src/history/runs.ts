import { inspectDatabaseFile, openDatabase } from '../db/database.js';
import { RunHistory, type RunRecord } from '../db/run-history.js';

/** How long a finished run took, in ms; null while it runs (or when a time is unreadable). */
export function runDurationMs(run: Pick<RunRecord, 'startedAt' | 'endedAt'>): number | null {
  const started = Date.parse(run.startedAt);
  const ended = run.endedAt ? Date.parse(run.endedAt) : NaN;
  return Number.isNaN(started) || Number.isNaN(ended) ? null : ended - started;
}

/** The newest runs first; null when there is no database yet. Opens read-only. */
export async function recentRuns(databaseFile: string, limit: number): Promise<RunRecord[] | null> {
  if (inspectDatabaseFile(databaseFile) !== 'sqlite') return null;
  const db = await openDatabase(databaseFile, { readonly: true });
  try {
    return new RunHistory(db).recent(limit);
  } finally {
    db.close();
  }
}
