import { inspectDatabaseFile, openDatabase } from '../db/database.js';
import { SyncStore, type RunRow } from '../db/sync-store.js';

/** One sync run as `log` shows it. */
export interface RunSummary {
  id: number;
  trigger: string;
  mode: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  window_start: string | null;
  window_end: string | null;
  meetings_seen: number;
  meetings_new: number;
  meetings_updated: number;
  items_skipped: number;
  pages: number;
  requests: number;
  retries: number;
  rate_limited: number;
  error: string | null;
}

export function summarizeRun(row: RunRow): RunSummary {
  const started = Date.parse(row.started_at);
  const ended = row.ended_at ? Date.parse(row.ended_at) : NaN;
  return {
    id: row.id,
    trigger: row.trigger,
    mode: row.mode,
    status: row.status,
    started_at: row.started_at,
    ended_at: row.ended_at,
    duration_ms: Number.isNaN(started) || Number.isNaN(ended) ? null : ended - started,
    window_start: row.window_start,
    window_end: row.window_end,
    meetings_seen: row.meetings_seen,
    meetings_new: row.meetings_new,
    meetings_updated: row.meetings_updated,
    items_skipped: row.items_skipped,
    pages: row.pages,
    requests: row.requests,
    retries: row.retries,
    rate_limited: row.rate_limited,
    error: row.error,
  };
}

/** The newest runs first; null when there is no database yet. Opens read-only. */
export async function recentRunSummaries(databaseFile: string, limit: number): Promise<RunSummary[] | null> {
  const state = inspectDatabaseFile(databaseFile);
  if (state !== 'sqlite') return null;
  const db = await openDatabase(databaseFile, { readonly: true });
  try {
    return new SyncStore(db).recentRuns(limit).map(summarizeRun);
  } finally {
    db.close();
  }
}
