import type { Db } from './db.js';
import type { PendingBackfill } from '../domain/backfill.js';

/**
 * The one row of sync_state: the bookmark, the last success and error, a pending backfill. Plain
 * reads and writes; the sync store calls the writers inside its transactions.
 */

export interface SyncState {
  /** created_at up to which every meeting is known to be stored; moves only forward. */
  bookmark: string | null;
  lastSuccessAt: string | null;
  lastRunId: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export function readSyncState(db: Db): SyncState {
  const row = db.prepare('SELECT bookmark, last_success_at, last_run_id, last_error, last_error_at FROM sync_state WHERE id = 1').get() as {
    bookmark: string | null;
    last_success_at: string | null;
    last_run_id: number | null;
    last_error: string | null;
    last_error_at: string | null;
  };
  return { bookmark: row.bookmark, lastSuccessAt: row.last_success_at, lastRunId: row.last_run_id, lastError: row.last_error, lastErrorAt: row.last_error_at };
}

/** The stretch an unfinished backfill may have left missing, or null. */
export function readPendingBackfill(db: Db): PendingBackfill | null {
  const row = db.prepare('SELECT backfill_from, backfill_before FROM sync_state WHERE id = 1').get() as { backfill_from: string | null; backfill_before: string | null };
  return row.backfill_before === null ? null : { from: row.backfill_from, before: row.backfill_before };
}

export function writePendingBackfill(db: Db, next: PendingBackfill | null): void {
  db.prepare('UPDATE sync_state SET backfill_from = ?, backfill_before = ? WHERE id = 1').run(next?.from ?? null, next?.before ?? null);
}

/** The bookmark only ever moves forward (canonical times: text order is time order). */
export function advanceBookmark(db: Db, to: string): void {
  db.prepare('UPDATE sync_state SET bookmark = ? WHERE id = 1 AND (bookmark IS NULL OR bookmark < ?)').run(to, to);
}

export function recordSuccess(db: Db, at: string, runId: number): void {
  db.prepare('UPDATE sync_state SET last_success_at = ?, last_run_id = ? WHERE id = 1').run(at, runId);
}

export function recordError(db: Db, error: string, at: string, runId: number): void {
  db.prepare('UPDATE sync_state SET last_error = ?, last_error_at = ?, last_run_id = ? WHERE id = 1').run(error, at, runId);
}
