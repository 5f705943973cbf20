import fs from 'node:fs';
import path from 'node:path';
import { DatabaseError, FathomSyncError, errorMessage } from '../core/errors.js';
import { ensurePrivateDir, makePrivateDirs } from '../core/fs-safe.js';
import { migrate, readSchemaVersion, SCHEMA_VERSION } from './migrate.js';
import { sqliteFailures } from './sqlite-failures.js';
import { StorageGuard, guardDatabase, type StorageFailureClassifier } from './storage-failures.js';

import type { Db } from './db.js';

export type { Db };

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * How long a connection waits for another program's write lock before giving up with
 * DatabaseBusyError. Only another program ever holds it for long (one sync runs at a time, and
 * readers never block a writer in WAL mode): a script's write or a checkpoint lasts milliseconds
 * to a few seconds, while a sqlite3 shell inside BEGIN or DB Browser with unsaved changes holds it
 * until a person acts, so waiting longer only delays the message that says what to do. Tests
 * shorten it (FATHOM_SYNC_BUSY_TIMEOUT_MS, a test seam).
 */
export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  readonly?: boolean;
  /** See openDatabase. */
  ownDirectory?: boolean;
  /** How long to wait for another program's lock (default BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
}

/** The classifier openDatabase and the sync use for this database file. */
export function databaseFailures(file: string, options: Pick<OpenOptions, 'busyTimeoutMs'> = {}): StorageFailureClassifier {
  return sqliteFailures(file, { busyTimeoutMs: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS });
}

/**
 * Checks, without writing anything, that `file` is absent, empty or a SQLite database we may
 * read (and, with access 'write', write). Bad files get a DatabaseError that says what is wrong;
 * one we may not use, a DatabasePermissionError with the owner, the mode and the fix.
 */
export function inspectDatabaseFile(file: string, access: 'read' | 'write' = 'read'): 'absent' | 'empty' | 'sqlite' {
  const failure = (err: unknown) => databaseFailures(file).classify(err, { action: access, opening: true });
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw failure(err) ?? new DatabaseError(`cannot read database ${file}: ${errorMessage(err)}`);
  }
  if (stat.isDirectory()) throw new DatabaseError(`database path ${file} is a directory`, 'pass a file path with --db');
  let fd: number;
  try {
    fd = fs.openSync(file, access === 'write' ? 'r+' : 'r');
  } catch (err) {
    throw failure(err) ?? new DatabaseError(`cannot open database ${file} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, `check the permissions of ${file}`);
  }
  try {
    if (stat.size === 0) return 'empty';
    const header = Buffer.alloc(SQLITE_HEADER.length);
    fs.readSync(fd, header, 0, header.length, 0);
    if (!header.equals(SQLITE_HEADER)) {
      throw new DatabaseError(`${file} is not a SQLite database`, 'point --db (or FATHOM_SYNC_DB) at a fathom-sync database or a new path');
    }
    return 'sqlite';
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens (creating if needed) the fathom-sync database: owner-only permissions, WAL, foreign
 * keys, and the schema migrated to the current version. A database from a newer fathom-sync
 * is refused before anything is written to it. A storage failure (locked, full, read-only,
 * damaged) is thrown typed (sqlite-failures.ts); a read-only connection stays guarded, so every
 * query a reader makes fails the same way.
 *
 * `ownDirectory`: the file sits in fathom-sync's own data directory, which is made owner-only
 * even if something else created or loosened it. Any other directory (`--db ~/calls.db`) is the
 * user's: missing parts are created private, existing ones are left as they are.
 */
export async function openDatabase(file: string, options: OpenOptions = {}): Promise<Db> {
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  const failures = databaseFailures(file, { busyTimeoutMs });
  const action = options.readonly ? 'read' : 'write';
  const typed = (err: unknown, otherwise: () => unknown): unknown => (err instanceof FathomSyncError ? err : (failures.classify(err, { action, opening: true }) ?? otherwise()));
  try {
    if (options.ownDirectory && !options.readonly) ensurePrivateDir(path.dirname(file));
    const state = inspectDatabaseFile(file, action);
    if (state === 'absent') {
      if (options.readonly) throw new DatabaseError(`no database at ${file} yet`, 'fathom-sync run');
      makePrivateDirs(path.dirname(file));
      // Create the file ourselves so it is 0600 from its first byte (SQLite would use the umask).
      fs.closeSync(fs.openSync(file, 'wx', 0o600));
    }
  } catch (err) {
    throw typed(err, () => err);
  }
  const { default: Database } = await import('better-sqlite3');
  let db: Db;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: true });
  } catch (err) {
    throw typed(err, () => new DatabaseError(`cannot open database ${file}: ${errorMessage(err)}`));
  }
  try {
    // First: even reading a database that is not in WAL mode yet may have to wait for a lock.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    const version = readSchemaVersion(db);
    // Before any other pragma: nothing may be changed in a file that is not ours. Ours always has
    // sync_state once it has a version; an empty file (version 0, no tables) becomes ours.
    if (version === 0 ? hasOtherTables(db) : !hasTable(db, 'sync_state')) {
      throw new DatabaseError(
        `${file} is another program's SQLite database (it has tables but no fathom-sync schema); nothing was changed`,
        'point --db (or FATHOM_SYNC_DB) at a fathom-sync database or a new path',
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new DatabaseError(
        `database ${file} has schema version ${version}, newer than this fathom-sync understands (${SCHEMA_VERSION})`,
        'upgrade fathom-sync (npm install -g fathom-sync@latest)',
      );
    }
    db.pragma('foreign_keys = ON');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a killed process never corrupts the file or loses a committed transaction.
      db.pragma('synchronous = NORMAL');
      if (version < SCHEMA_VERSION) migrate(db, (await import('./migrations/index.js')).MIGRATIONS);
    }
    return options.readonly ? guardDatabase(db, new StorageGuard(failures, 'read')) : db;
  } catch (err) {
    db.close();
    throw typed(err, () => new DatabaseError(`cannot use database ${file}: ${errorMessage(err)}`));
  }
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Tables or views in a database that has no fathom-sync schema: someone else's file. */
function hasOtherTables(db: Db): boolean {
  const row = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'").get() as { n: number };
  return row.n > 0;
}

/**
 * Everything openDatabase would refuse (not SQLite, unreadable, corrupt, newer schema, another
 * program's file), found with a read-only open before the run takes its lock or writes anything.
 */
export async function assertDatabaseUsable(file: string): Promise<void> {
  if (inspectDatabaseFile(file, 'write') !== 'sqlite') return;
  (await openDatabase(file, { readonly: true })).close();
}

/** Deletes the database file and its WAL companions; false when there was no database. */
export function deleteDatabaseFiles(file: string): boolean {
  let deleted = false;
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      fs.rmSync(`${file}${suffix}`);
      deleted ||= suffix === '';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DatabaseError(`cannot delete ${file}${suffix}: ${errorMessage(err)}`);
    }
  }
  return deleted;
}
