import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { readSideSql, fillTalkTime } from './migrations/v3-read-side.js';

/**
 * Schema versions. schema.sql at the repository root is the whole schema of a new database
 * (version 1). Each later version adds an entry to MIGRATIONS that turns version N-1 into N
 * without losing data, and schema.sql is updated to match; a new database runs schema.sql then
 * nothing, an old one runs the steps it lacks. Each step commits with its user_version bump.
 */
export const SCHEMA_VERSION = 3;

/** A step: SQL, or a function for what SQL alone cannot do (computing talk time). Runs in the migration's transaction. */
type MigrationStep = string | ((db: BetterSqlite3.Database) => void);

/** Steps from version (key - 1) to version key. Version 1 was the first schema.sql. */
const MIGRATIONS: Record<number, MigrationStep[]> = {
  // 2: remember a backfill that stopped part way, so the hourly run can finish it.
  2: [
    `ALTER TABLE sync_state ADD COLUMN backfill_from TEXT;
     ALTER TABLE sync_state ADD COLUMN backfill_before TEXT;`,
  ],
  // 3: the read side: action items in the full-text index (they get a rowid for it), talk time
  // per meeting and speaker (filled for the meetings already stored), teams and team members.
  3: [readSideSql(), fillTalkTime],
};

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
      const steps = MIGRATIONS[version + 1];
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
