import type BetterSqlite3 from 'better-sqlite3';

/** A connection to the fathom-sync database (opened by database.ts); the type every store takes. */
export type Db = BetterSqlite3.Database;
