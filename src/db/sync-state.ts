import type { Db } from './db.js';
import type { PendingBackfill } from '../domain/backfill.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import { hasAccounts } from './migrate.js';

/**
 * One account's row of sync_state: the bookmark, the last success and error, a pending backfill.
 * Plain reads and writes; the sync store calls the writers inside its transactions. An account
 * that never ran has no row, which reads as nothing known yet.
 */

export interface SyncState {
  /** created_at up to which every meeting is known to be stored; moves only forward. */
  bookmark: string | null;
  lastSuccessAt: string | null;
  lastRunId: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

/** A sync_state row's columns that make a SyncState, as either target returns them. */
export interface SyncStateRow {
  bookmark: string | null;
  last_success_at: string | null;
  last_run_id: number | null;
  last_error: string | null;
  last_error_at: string | null;
}

export const NO_STATE: SyncState = { bookmark: null, lastSuccessAt: null, lastRunId: null, lastError: null, lastErrorAt: null };

export function toSyncState(row: SyncStateRow | undefined): SyncState {
  if (!row) return { ...NO_STATE };
  return { bookmark: row.bookmark, lastSuccessAt: row.last_success_at, lastRunId: row.last_run_id === null ? null : Number(row.last_run_id), lastError: row.last_error, lastErrorAt: row.last_error_at };
}

/**
 * The row of `account`: `WHERE account = ?`, or, in a database from before schema 6 that a
 * read-only look (status, doctor) finds not yet migrated, the one row there was (the default account's).
 */
function accountRow(db: Db, account: string): { sql: string; params: unknown[] } {
  if (hasAccounts(db)) return { sql: 'account = ?', params: [account] };
  return account === DEFAULT_PROFILE ? { sql: 'id = 1', params: [] } : { sql: '0', params: [] };
}

export function readSyncState(db: Db, account: string): SyncState {
  const key = accountRow(db, account);
  const row = db.prepare(`SELECT bookmark, last_success_at, last_run_id, last_error, last_error_at FROM sync_state WHERE ${key.sql}`).get(...key.params) as SyncStateRow | undefined;
  return toSyncState(row);
}

/** Every account's state, by name: what `profiles`, `status` and `doctor` show. */
export function readAllSyncStates(db: Db): Map<string, SyncState> {
  const rows = db.prepare('SELECT account, bookmark, last_success_at, last_run_id, last_error, last_error_at FROM sync_state ORDER BY account').all() as (SyncStateRow & { account: string })[];
  return new Map(rows.map((r) => [r.account, toSyncState(r)]));
}

/** The account's row, made on its first write. */
export function ensureSyncState(db: Db, account: string): void {
  db.prepare('INSERT OR IGNORE INTO sync_state (account) VALUES (?)').run(account);
}

/** The stretch an unfinished backfill may have left missing, or null. */
export function readPendingBackfill(db: Db, account: string): PendingBackfill | null {
  const key = accountRow(db, account);
  const row = db.prepare(`SELECT backfill_from, backfill_before FROM sync_state WHERE ${key.sql}`).get(...key.params) as { backfill_from: string | null; backfill_before: string | null } | undefined;
  return !row || row.backfill_before === null ? null : { from: row.backfill_from, before: row.backfill_before };
}

export function writePendingBackfill(db: Db, account: string, next: PendingBackfill | null): void {
  ensureSyncState(db, account);
  db.prepare('UPDATE sync_state SET backfill_from = ?, backfill_before = ? WHERE account = ?').run(next?.from ?? null, next?.before ?? null, account);
}

/** The bookmark only ever moves forward (canonical times: text order is time order). */
export function advanceBookmark(db: Db, account: string, to: string): void {
  ensureSyncState(db, account);
  db.prepare('UPDATE sync_state SET bookmark = ? WHERE account = ? AND (bookmark IS NULL OR bookmark < ?)').run(to, account, to);
}

export function recordSuccess(db: Db, account: string, at: string, runId: number): void {
  ensureSyncState(db, account);
  db.prepare('UPDATE sync_state SET last_success_at = ?, last_run_id = ? WHERE account = ?').run(at, runId, account);
}

export function recordError(db: Db, account: string, error: string, at: string, runId: number): void {
  ensureSyncState(db, account);
  db.prepare('UPDATE sync_state SET last_error = ?, last_error_at = ?, last_run_id = ? WHERE account = ?').run(error, at, runId, account);
}
