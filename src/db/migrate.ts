import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { canonicalTime } from '../domain/time.js';

/**
 * Schema versions. schema.sql at the repository root is the whole schema of a new database (the
 * current version). Each later version adds an entry to MIGRATIONS that turns version N-1 into N
 * without losing data, and schema.sql is updated to match; a new database runs schema.sql then
 * nothing, an old one runs the steps it lacks. Each step commits with its user_version bump.
 */
export const SCHEMA_VERSION = 3;

type Migration = string | ((db: BetterSqlite3.Database) => void);

/** Steps from version (key - 1) to version key. Version 1 was the first schema.sql. */
const MIGRATIONS: Record<number, Migration> = {
  // 2: remember a backfill that stopped part way, so the hourly run can finish it.
  2: `ALTER TABLE sync_state ADD COLUMN backfill_from TEXT;
      ALTER TABLE sync_state ADD COLUMN backfill_before TEXT;`,
  // 3: one text form for every stored time, so comparing them as text orders them in time.
  3: (db) => canonicalizeStoredTimes(db),
};

/** Every column of version 2 that holds a time (transcript and action-item "HH:MM:SS" offsets are not times). */
const TIME_COLUMNS: Record<string, string[]> = {
  meetings: ['created_at', 'scheduled_start_time', 'scheduled_end_time', 'recording_start_time', 'recording_end_time', 'first_synced_at', 'last_synced_at', 'last_changed_at'],
  contacts: ['first_meeting_at', 'last_meeting_at'],
  sync_state: ['bookmark', 'last_success_at', 'last_error_at', 'backfill_from', 'backfill_before'],
  sync_runs: ['window_start', 'window_end', 'started_at', 'ended_at'],
};

/**
 * Rewrites the stored times in the canonical form (`...:05Z` and `...:05.123456Z` become
 * `...:05.000Z` and `...:05.123Z`). Text that is not an ISO-8601 time is left as it was; rows
 * already canonical are not touched. raw_json keeps Fathom's own strings.
 */
function canonicalizeStoredTimes(db: BetterSqlite3.Database): void {
  db.function('fathom_sync_canonical_time', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? canonicalTime(value) : value));
  for (const [table, columns] of Object.entries(TIME_COLUMNS)) {
    const set = columns.map((c) => `${c} = fathom_sync_canonical_time(${c})`).join(', ');
    const changed = columns.map((c) => `${c} IS NOT fathom_sync_canonical_time(${c})`).join(' OR ');
    db.exec(`UPDATE ${table} SET ${set} WHERE ${changed}`);
  }
}

export function schemaSqlPath(): string {
  // dist/db/migrate.js and src/db/migrate.ts both sit two levels below the repository root.
  return fileURLToPath(new URL('../../schema.sql', import.meta.url));
}

export function readSchemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: BetterSqlite3.Database): void {
  if (readSchemaVersion(db) === SCHEMA_VERSION) return;
  // IMMEDIATE: two processes opening a new database at once must not both create tables.
  db.exec('BEGIN IMMEDIATE');
  try {
    let version = readSchemaVersion(db);
    if (version === 0) {
      db.exec(fs.readFileSync(schemaSqlPath(), 'utf8'));
      version = readSchemaVersion(db);
    }
    while (version < SCHEMA_VERSION) {
      const step = MIGRATIONS[version + 1];
      if (step === undefined) throw new Error(`no migration from schema version ${version}`);
      if (typeof step === 'string') db.exec(step);
      else step(db);
      version += 1;
      db.pragma(`user_version = ${version}`);
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
