import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Schema versions. schema.sql at the repository root is the whole schema of a new database (the
 * current version). Each later version adds steps (src/db/migrations/) that turn version N-1 into
 * N without losing data, and schema.sql is updated to match; a new database runs schema.sql then
 * nothing, an old one runs the steps it lacks. All of it commits in one transaction with the
 * user_version bump.
 *
 * The steps are loaded only when a database needs them (openDatabase): some compute (talk time)
 * with modules a read command should not pay for at start-up.
 */
export const SCHEMA_VERSION = 6;

/** A step: SQL, or a function for what SQL alone cannot do. Runs in the migration's transaction. */
export type MigrationStep = string | ((db: BetterSqlite3.Database) => void);

/** Steps from version (key - 1) to version key. */
export type Migrations = Record<number, MigrationStep[]>;

export function schemaSqlPath(): string {
  // dist/db/migrate.js and src/db/migrate.ts both sit two levels below the repository root.
  return fileURLToPath(new URL('../../schema.sql', import.meta.url));
}

export function readSchemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The version that keyed sync_state and sync_runs by account (profile). */
export const ACCOUNTS_SINCE = 6;

/**
 * Whether the database keeps state and runs per account: always once migrated; a read-only look
 * (status, doctor, log) may meet a database the next sync has not migrated yet.
 */
export function hasAccounts(db: BetterSqlite3.Database): boolean {
  return readSchemaVersion(db) >= ACCOUNTS_SINCE;
}

export function migrate(db: BetterSqlite3.Database, migrations: Migrations): void {
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
      const steps = migrations[version + 1];
      if (steps === undefined) throw new Error(`no migration from schema version ${version}`);
      for (const step of steps) {
        if (typeof step === 'string') db.exec(step);
        else step(db);
      }
      version += 1;
      db.pragma(`user_version = ${version}`);
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
