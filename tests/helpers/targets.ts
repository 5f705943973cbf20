import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { DEFAULT_PROFILE, lockFileName } from '../../src/core/profile.js';
import { accountLockHolder } from '../../src/db/pg/account-lock.js';
import { need } from './capabilities.js';
import { dbPath } from './cli.js';
import { freshPgDatabase, type PgDatabase } from './postgres.js';
import { TRUTH_SQL, expectDatabaseMatches, expectRowsMatch, type TruthRows } from './truth.js';

/**
 * The storage targets a sync test runs against: the SQLite file (the home's default database) and
 * PostgreSQL (a throwaway database on the test server, skipped with the capability's reason when
 * there is none). A test asks its target for a fresh database and reads the result back through
 * one asynchronous interface, in SQL both dialects share (`?` placeholders; no booleans, so write
 * `CASE WHEN x IS NULL THEN 0 ELSE 1 END` rather than `x IS NOT NULL`):
 *
 *   describeTargets('run --all', (target) => {
 *     let db: TestDatabase;
 *     beforeEach(async () => { db = await target.fresh(home.baseEnv); });
 *     afterEach(() => target.cleanup());
 *     it('...', async () => {
 *       await runCli(['run', '--all'], db.env);
 *       await db.expectMatches(server.meetings());
 *       expect(await db.rows('SELECT status FROM sync_runs')).toEqual([{ status: 'ok' }]);
 *     });
 *   });
 */

export type TargetName = 'sqlite' | 'postgresql';

export interface TestDatabase {
  readonly target: TargetName;
  /** What --db / FATHOM_SYNC_DB names, and the CLI reports as its database: the file, or the postgres:// URL. */
  readonly db: string;
  /** The environment fresh() was given, with this database chosen (SQLite: the home's default file). */
  readonly env: NodeJS.ProcessEnv;
  /** Rows of a statement (`?` placeholders); integers come back as numbers on both. */
  rows<T = Record<string, any>>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** The first column of the first row. */
  value<T = number>(sql: string, ...params: unknown[]): Promise<T>;
  /** Runs a statement that changes the database (a test's own damage), outside any sync. */
  write(sql: string, ...params: unknown[]): Promise<void>;
  /** Whether fathom-sync's schema is there (SQLite: the file exists). */
  exists(): Promise<boolean>;
  /** The stored meetings are exactly `truth`, field by field, child rows and contacts included. */
  expectMatches(truth: Array<Record<string, any>>): Promise<void>;
  /**
   * What holds after any run, however it ended: every meeting once, with exactly as many child rows
   * as its counts say, seen by some account; account_meetings, contacts, sync_state without
   * duplicates; the target's own indexes whole.
   */
  expectConsistent(): Promise<void>;
  /** The stored content without what depends on when or by which run it was written: equal after any two syncs of the same meetings. */
  snapshot(): Promise<Record<string, unknown[]>>;
  /** Whether a live sync of the account holds its run lock (SQLite: a lock file naming a live process; PostgreSQL: the advisory lock). */
  lockHeld(account?: string): Promise<boolean>;
}

export interface Target {
  readonly name: TargetName;
  /** Whether its suites are skipped (PostgreSQL without a server, when the test command did not promise one). */
  readonly skip: boolean;
  title(text: string): string;
  /**
   * A fresh, empty database for a CLI whose environment is `env`: SQLite, the default file of env's
   * FATHOM_SYNC_HOME (FATHOM_SYNC_DB left unset); PostgreSQL, a new database on the test server.
   */
  fresh(env: NodeJS.ProcessEnv): Promise<TestDatabase>;
  /** Drops every database fresh() made since the last cleanup (afterEach); SQLite files go with their home. */
  cleanup(): Promise<void>;
}

/** One suite per target, skipped (saying why) where the target is unavailable. */
export function describeTargets(title: string, body: (target: Target) => void): void {
  for (const target of TARGETS) describe.skipIf(target.skip)(target.title(`${title} [${target.name}]`), () => body(target));
}

/** Two snapshots (TestDatabase.snapshot) hold the same, table by table: a difference names its table. */
export function expectSameContent(actual: Record<string, unknown[]>, expected: Record<string, unknown[]>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const table of Object.keys(expected)) expect(actual[table], table).toEqual(expected[table]);
}

/** Columns whose values say when (or by which run) a row was written, not what it holds. */
const WRITTEN = new Set(['first_synced_at', 'last_synced_at', 'last_changed_at', 'content_attempts', 'content_checked_at', 'first_seen_at', 'last_seen_at', 'synced_at', 'id', 'search']);

/** Tables and their order for snapshot(); the columns in WRITTEN are left out. */
const SNAPSHOT_SQL: Record<string, string> = {
  meetings: 'SELECT * FROM meetings ORDER BY recording_id',
  meeting_attendees: 'SELECT * FROM meeting_attendees ORDER BY recording_id, seq',
  transcript_segments: 'SELECT * FROM transcript_segments ORDER BY recording_id, seq',
  action_items: 'SELECT * FROM action_items ORDER BY recording_id, seq',
  highlights: 'SELECT * FROM highlights ORDER BY recording_id, seq',
  contacts: 'SELECT * FROM contacts ORDER BY lower(email)',
  account_meetings: 'SELECT * FROM account_meetings ORDER BY account, recording_id',
  talk_time: 'SELECT * FROM talk_time ORDER BY recording_id',
  talk_time_speakers: 'SELECT * FROM talk_time_speakers ORDER BY recording_id, seq',
  teams: 'SELECT * FROM teams ORDER BY name',
  team_members: 'SELECT * FROM team_members ORDER BY team, lower(email)',
  sync_state: 'SELECT account, bookmark, backfill_from, backfill_before FROM sync_state ORDER BY account',
};

/** Statements whose answer must be empty in any database a sync wrote, whatever happened to it. */
const CONSISTENCY_SQL: Record<string, string> = {
  'meetings whose child rows do not match their counts': `
    SELECT m.recording_id, m.attendee_count, m.transcript_segment_count, m.action_item_count FROM meetings m
     WHERE m.attendee_count <> (SELECT COUNT(*) FROM meeting_attendees a WHERE a.recording_id = m.recording_id)
        OR m.transcript_segment_count <> (SELECT COUNT(*) FROM transcript_segments s WHERE s.recording_id = m.recording_id)
        OR m.action_item_count <> (SELECT COUNT(*) FROM action_items i WHERE i.recording_id = m.recording_id)`,
  'meetings stored twice': 'SELECT recording_id, COUNT(*) AS n FROM meetings GROUP BY recording_id HAVING COUNT(*) > 1',
  'child rows stored twice': `
    SELECT 'transcript_segments' AS t, recording_id, seq FROM transcript_segments GROUP BY recording_id, seq HAVING COUNT(*) > 1
    UNION ALL SELECT 'meeting_attendees', recording_id, seq FROM meeting_attendees GROUP BY recording_id, seq HAVING COUNT(*) > 1
    UNION ALL SELECT 'action_items', recording_id, seq FROM action_items GROUP BY recording_id, seq HAVING COUNT(*) > 1
    UNION ALL SELECT 'highlights', recording_id, seq FROM highlights GROUP BY recording_id, seq HAVING COUNT(*) > 1
    UNION ALL SELECT 'talk_time', recording_id, 0 FROM talk_time GROUP BY recording_id HAVING COUNT(*) > 1`,
  'child rows of no meeting': `
    SELECT 'transcript_segments' AS t, recording_id FROM transcript_segments WHERE recording_id NOT IN (SELECT recording_id FROM meetings)
    UNION ALL SELECT 'meeting_attendees', recording_id FROM meeting_attendees WHERE recording_id NOT IN (SELECT recording_id FROM meetings)
    UNION ALL SELECT 'account_meetings', recording_id FROM account_meetings WHERE recording_id NOT IN (SELECT recording_id FROM meetings)`,
  'meetings no account has seen': 'SELECT recording_id FROM meetings WHERE recording_id NOT IN (SELECT recording_id FROM account_meetings)',
  'account_meetings twice': 'SELECT account, recording_id FROM account_meetings GROUP BY account, recording_id HAVING COUNT(*) > 1',
  'contacts twice': 'SELECT lower(email) AS email FROM contacts GROUP BY lower(email) HAVING COUNT(*) > 1',
  'sync_state twice': 'SELECT account FROM sync_state GROUP BY account HAVING COUNT(*) > 1',
};

/** Extra checks of each target's own structures (indexes the sync writes besides the tables). */
const OWN_CONSISTENCY_SQL: Record<TargetName, Record<string, string>> = {
  sqlite: {
    'integrity_check problems': "SELECT integrity_check FROM pragma_integrity_check WHERE integrity_check <> 'ok'",
    'meetings without their search row': 'SELECT recording_id FROM meetings WHERE recording_id NOT IN (SELECT rowid FROM meeting_search_fts)',
    'search rows of no meeting': 'SELECT rowid FROM meeting_search_fts WHERE rowid NOT IN (SELECT recording_id FROM meetings)',
  },
  postgresql: {
    'meetings without their one search document': `
      SELECT m.recording_id FROM meetings m WHERE (SELECT COUNT(*) FROM meeting_search s WHERE s.recording_id = m.recording_id) <> 1`,
  },
};

const withoutWritten = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !WRITTEN.has(k))));

/** The checks every target shares, over its `rows`. */
function commonChecks(target: TargetName, rows: TestDatabase['rows']): Pick<TestDatabase, 'value' | 'expectConsistent' | 'snapshot'> {
  return {
    value: async <T>(sql: string, ...params: unknown[]) => Object.values((await rows(sql, ...params))[0] ?? {})[0] as T,
    async expectConsistent() {
      for (const [what, sql] of Object.entries({ ...CONSISTENCY_SQL, ...OWN_CONSISTENCY_SQL[target] })) expect(await rows(sql), what).toEqual([]);
    },
    async snapshot() {
      const out: Record<string, unknown[]> = {};
      for (const [table, sql] of Object.entries(SNAPSHOT_SQL)) out[table] = withoutWritten(await rows(sql));
      if (target === 'postgresql') out.meeting_search = await rows('SELECT recording_id, document::text AS document FROM meeting_search ORDER BY recording_id');
      return out;
    },
  };
}

/** Whether a lock file names a process that is still alive (a killed one leaves its file, stale). */
function liveOwner(lockFile: string): boolean {
  let pid: number;
  try {
    pid = (JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number }).pid;
  } catch {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sqliteTarget(): Target {
  return {
    name: 'sqlite',
    skip: false,
    title: (text) => text,
    async fresh(given) {
      const env: NodeJS.ProcessEnv = { ...given, FATHOM_SYNC_DB: undefined };
      const file = dbPath(env);
      const rows = async <T>(sql: string, ...params: unknown[]): Promise<T[]> => {
        const db = new Database(file, { readonly: true });
        try {
          return db.prepare(sql).all(...params) as T[];
        } finally {
          db.close();
        }
      };
      return {
        target: 'sqlite',
        db: file,
        env,
        rows,
        ...commonChecks('sqlite', rows),
        async write(sql, ...params) {
          const db = new Database(file);
          try {
            db.prepare(sql).run(...params);
          } finally {
            db.close();
          }
        },
        exists: async () => fs.existsSync(file),
        expectMatches: async (truth) => expectDatabaseMatches(file, truth),
        lockHeld: async (account = DEFAULT_PROFILE) => liveOwner(path.join(env.FATHOM_SYNC_HOME!, 'state', lockFileName(account))),
      };
    },
    cleanup: async () => {},
  };
}

/** bigint and numeric as numbers, as fathom-sync itself reads them (ids and counts are within 2^53). */
const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Opens one connection to `url` for `work`, then closes it. */
export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, types: PG_TYPES });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `?` placeholders as PostgreSQL's `$1, $2...` (the tests' SQL has no `?` inside strings). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

function postgresTarget(): Target {
  const postgres = need('postgresql');
  let made: PgDatabase[] = [];
  return {
    name: 'postgresql',
    skip: postgres.skip,
    title: (text) => postgres.title(text),
    async fresh(given) {
      const database = await freshPgDatabase('sync');
      made.push(database);
      const url = database.url;
      const rows = <T>(sql: string, ...params: unknown[]): Promise<T[]> => withPgClient(url, async (c) => (await c.query(numbered(sql), params)).rows as T[]);
      return {
        target: 'postgresql',
        db: url,
        env: { ...given, FATHOM_SYNC_DB: url },
        rows,
        ...commonChecks('postgresql', rows),
        write: (sql, ...params) => withPgClient(url, async (c) => void (await c.query(numbered(sql), params))),
        exists: async () => (await rows<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'schema_migrations'"))[0]!.n > 0,
        expectMatches: (truth) =>
          withPgClient(url, async (c) => {
            const answers: Record<string, unknown[]> = {};
            for (const [k, sql] of Object.entries(TRUTH_SQL)) answers[k] = (await c.query(sql)).rows;
            expectRowsMatch(answers as TruthRows, truth);
          }),
        lockHeld: (account = DEFAULT_PROFILE) => withPgClient(url, async (c) => (await accountLockHolder(c, account)) !== null),
      };
    },
    async cleanup() {
      const drop = made;
      made = [];
      for (const d of drop) await d.drop();
    },
  };
}

export const TARGETS: readonly Target[] = [sqliteTarget(), postgresTarget()];
