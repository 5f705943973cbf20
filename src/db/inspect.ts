import type { DatabaseFailure } from '../core/errors.js';
import { databaseFailures, inspectDatabaseFile, openDatabase, type Db } from './database.js';
import { SCHEMA_VERSION, readSchemaVersion } from './migrate.js';
import { readPendingBackfill, readSyncState } from './sync-state.js';
import { RunHistory } from './run-history.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import type { PendingBackfill } from '../domain/backfill.js';

/**
 * Read-only looks at a database for `status` and `doctor`: what is in it and whether it is
 * healthy. Nothing here writes, migrates or takes the sync lock.
 */

/** The schema version that added sync_state.backfill_from / backfill_before. */
const BACKFILL_COLUMNS_SINCE = 2;

export interface DatabaseSummary {
  meetingCount: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastRun: { status: string; started_at: string; ended_at: string | null } | null;
  /** A backfill that stopped part way; null when none (or the schema predates it). */
  backfillPending: PendingBackfill | null;
}

function countMeetings(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM meetings').get() as { n: number }).n;
}

/** null when there is no database yet; throws DatabaseError for a file that cannot be used. */
export async function readDatabaseSummary(file: string, account: string = DEFAULT_PROFILE): Promise<DatabaseSummary | null> {
  if (inspectDatabaseFile(file) !== 'sqlite') return null;
  const db = await openDatabase(file, { readonly: true });
  try {
    const state = readSyncState(db, account);
    const last = new RunHistory(db).recent(1)[0];
    return {
      meetingCount: countMeetings(db),
      lastSuccessAt: state.lastSuccessAt,
      lastError: state.lastError,
      lastRun: last ? { status: last.status, started_at: last.startedAt, ended_at: last.endedAt } : null,
      // A database the next run has not migrated yet may have no backfill columns: nothing pending then.
      backfillPending: readSchemaVersion(db) >= BACKFILL_COLUMNS_SINCE ? readPendingBackfill(db, account) : null,
    };
  } finally {
    db.close();
  }
}

export interface DatabaseHealth {
  schemaVersion: number;
  /** What PRAGMA integrity_check reported, at most `limit` lines; empty when the file is sound. */
  integrityProblems: string[];
  /** null when the schema is too old or too new to count. */
  meetingCount: number | null;
}

/**
 * Opens the file read-only without any of openDatabase's refusals (doctor wants to describe a
 * bad file, not refuse it) and runs PRAGMA integrity_check. Throws the driver's error when the
 * file cannot be read at all.
 */
export async function checkDatabaseHealth(file: string, limit = 20): Promise<DatabaseHealth> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const schemaVersion = readSchemaVersion(db);
    const integrityProblems = (db.pragma(`integrity_check(${limit})`) as { integrity_check: string }[]).map((r) => r.integrity_check).filter((m) => m !== 'ok');
    const countable = integrityProblems.length === 0 && schemaVersion > 0 && schemaVersion <= SCHEMA_VERSION;
    return { schemaVersion, integrityProblems, meetingCount: countable ? countMeetings(db) : null };
  } finally {
    db.close();
  }
}

/**
 * Whether a sync could write the database now: takes the write lock (BEGIN IMMEDIATE) and makes
 * a write that changes nothing, then rolls back, so nothing is written. While another program
 * holds the lock it tries again every `pollMs`, without blocking the event loop, for `waitMs`.
 * Resolves null when a sync could write, else the failure a sync would meet (a database that
 * stays locked, a read-only file or folder, ...). Needs a fathom-sync schema (sync_state).
 */
export async function probeWriteAccess(file: string, options: { waitMs: number; pollMs?: number; sleep: (ms: number) => Promise<void> }): Promise<DatabaseFailure | null> {
  const failures = databaseFailures(file, { busyTimeoutMs: options.waitMs });
  const { default: Database } = await import('better-sqlite3');
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    let db: Db | undefined;
    try {
      db = new Database(file, { fileMustExist: true });
      db.pragma('busy_timeout = 0');
      db.exec('BEGIN IMMEDIATE');
      try {
        db.prepare('DELETE FROM sync_state WHERE 0').run();
      } finally {
        db.exec('ROLLBACK');
      }
      return null;
    } catch (err) {
      const failure = failures.classify(err, { action: 'write' });
      if (!failure) throw err;
      if (failure.kind !== 'busy' || Date.now() >= deadline) return failure;
    } finally {
      db?.close();
    }
    await options.sleep(options.pollMs ?? 250);
  }
}
