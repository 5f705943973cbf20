import type { Statement } from 'better-sqlite3';
import { DatabaseError } from '../../core/errors.js';
import { inspectDatabaseFile, openDatabase, type Db } from '../database.js';
import { SCHEMA_VERSION, readSchemaVersion } from '../migrate.js';
import type { CopyTable, MeetingChildTable } from '../../domain/copy-plan.js';

/**
 * The SQLite side of `db copy`: the database opened read-only, in one read transaction from first
 * row to last count, so the copy and its verification see one snapshot (WAL: a sync may go on
 * writing meanwhile; what it writes later is for the next copy). Every read is bounded: keyset
 * pages over each table's key, never a whole table at once.
 */

export type SqlValue = string | number | bigint | Buffer | null;
export type SourceRow = Record<string, SqlValue>;

/** A meeting as the copy plans it: its key, its version and how many rows it brings. */
export interface MeetingHead {
  recording_id: number;
  last_synced_at: string;
  payload_sha256: string;
  /** The meeting's row and its child rows, near enough (the counts the writer keeps on the row). */
  weight: number;
}

/** Each table's key: the order pages are read in. */
export const SOURCE_KEYS: Record<Exclude<CopyTable, 'skipped_items'>, string[]> = {
  meetings: ['recording_id'],
  meeting_attendees: ['recording_id', 'seq'],
  transcript_segments: ['recording_id', 'seq'],
  action_items: ['recording_id', 'seq'],
  highlights: ['recording_id', 'seq'],
  contacts: ['email'],
  talk_time: ['recording_id'],
  talk_time_speakers: ['recording_id', 'seq'],
  teams: ['name'],
  team_members: ['team', 'email'],
  account_meetings: ['account', 'recording_id'],
  sync_state: ['account'],
  sync_runs: ['id'],
};

export class SqliteCopySource {
  readonly #statements = new Map<string, Statement>();

  private constructor(
    private readonly db: Db,
    readonly file: string,
  ) {}

  /** Opens `file` read-only and starts the snapshot; a missing, foreign or not yet upgraded database is a DatabaseError. */
  static async open(file: string, options: { busyTimeoutMs?: number } = {}): Promise<SqliteCopySource> {
    if (inspectDatabaseFile(file) !== 'sqlite') throw new DatabaseError(`no database at ${file} to copy`, 'name the SQLite database to copy with --db FILE');
    const db = await openDatabase(file, { readonly: true, ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}) });
    try {
      const version = readSchemaVersion(db);
      if (version < SCHEMA_VERSION) {
        throw new DatabaseError(`the database ${file} has schema version ${version}; db copy needs version ${SCHEMA_VERSION}`, {
          text: 'Upgrade it with a sync first (it migrates the file):',
          commands: [`fathom-sync run --db ${file}`],
        });
      }
      db.exec('BEGIN');
      // The snapshot starts with the first read.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteCopySource(db, file);
  }

  close(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } finally {
      this.db.close();
    }
  }

  #statement(sql: string): Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** The table's column names, in table order. */
  columns(table: CopyTable): string[] {
    return (this.db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
  }

  count(table: CopyTable): number {
    return (this.#statement(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  /** Every account (profile) the database knows: those with a state, a run or a meeting. */
  accounts(): string[] {
    const rows = this.#statement(
      'SELECT account FROM sync_state UNION SELECT DISTINCT account FROM sync_runs UNION SELECT DISTINCT account FROM account_meetings ORDER BY 1',
    ).all() as { account: string }[];
    return rows.map((r) => r.account);
  }

  /** The largest id of a table with an integer id (0 when empty): the target's sequence is moved past it. */
  maxId(table: 'sync_runs' | 'transcript_segments' | 'action_items'): number {
    return (this.#statement(`SELECT coalesce(max(id), 0) AS n FROM ${table}`).get() as { n: number }).n;
  }

  /** The next meetings after `after` (keyset on recording_id). */
  meetingHeads(after: number | null, limit: number): MeetingHead[] {
    const sql = `SELECT recording_id, last_synced_at, payload_sha256, 1 + attendee_count + transcript_segment_count + action_item_count AS weight
                   FROM meetings ${after === null ? '' : 'WHERE recording_id > ?'} ORDER BY recording_id LIMIT ?`;
    return this.#statement(sql).all(...(after === null ? [limit] : [after, limit])) as MeetingHead[];
  }

  /** The rows of these meetings (the meetings themselves, or one of their child tables), in key order. */
  rowsOfMeetings(table: 'meetings' | MeetingChildTable, columns: readonly string[], ids: readonly number[]): SourceRow[] {
    if (ids.length === 0) return [];
    const key = SOURCE_KEYS[table].join(', ');
    return this.#statement(`SELECT ${columns.join(', ')} FROM ${table} WHERE recording_id IN (SELECT value FROM json_each(?)) ORDER BY ${key}`).all(JSON.stringify(ids)) as SourceRow[];
  }

  /** A page of a table in key order: the rows after `after` (the previous page's last key), or the first ones. */
  page(table: Exclude<CopyTable, 'skipped_items'>, columns: readonly string[], after: SqlValue[] | null, limit: number): SourceRow[] {
    const key = SOURCE_KEYS[table];
    const where = after === null ? '' : `WHERE (${key.join(', ')}) > (${key.map(() => '?').join(', ')})`;
    return this.#statement(`SELECT ${columns.join(', ')} FROM ${table} ${where} ORDER BY ${key.join(', ')} LIMIT ?`).all(...(after ?? []), limit) as SourceRow[];
  }

  /** The key of a row of `table`, as `page` takes it. */
  static keyOf(table: Exclude<CopyTable, 'skipped_items'>, row: SourceRow): SqlValue[] {
    return SOURCE_KEYS[table].map((k) => row[k] ?? null);
  }

  /** The skipped items of these runs, in the order they were written. */
  skippedOfRuns(columns: readonly string[], runIds: readonly number[]): SourceRow[] {
    if (runIds.length === 0) return [];
    return this.#statement(`SELECT ${columns.join(', ')} FROM skipped_items WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`).all(JSON.stringify(runIds)) as SourceRow[];
  }

  /** How many skipped items each run has (runs without any left out). */
  skippedCounts(runIds: readonly number[]): Map<number, number> {
    if (runIds.length === 0) return new Map();
    const rows = this.#statement('SELECT run_id, count(*) AS n FROM skipped_items WHERE run_id IN (SELECT value FROM json_each(?)) GROUP BY run_id').all(JSON.stringify(runIds)) as {
      run_id: number;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.run_id, r.n]));
  }

  /** Runs by id (what sync_state.last_run_id points at). */
  runsById(columns: readonly string[], ids: readonly number[]): SourceRow[] {
    if (ids.length === 0) return [];
    return this.#statement(`SELECT ${columns.join(', ')} FROM sync_runs WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).all(JSON.stringify(ids)) as SourceRow[];
  }
}
