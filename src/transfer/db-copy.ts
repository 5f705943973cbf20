import { DatabaseError, FailureError, FathomSyncError } from '../core/errors.js';
import { SOURCE_KEYS, SqliteCopySource, type MeetingHead, type SourceRow, type SqlValue } from '../db/copy/sqlite-source.js';
import { connectPg, redactPgSecrets, type PgClient } from '../db/pg/connection.js';
import { pgFailures } from '../db/pg/failures.js';
import { ID_TABLES, PgCopyTarget, type KeyedTable, type MergedTable } from '../db/pg/pg-copy-target.js';
import { COPY_TABLES, MEETING_CHILD_TABLES, firstPerKey, groupByWeight, shortfalls, type CopyTable, type MeetingChildTable, type TableCount } from '../domain/copy-plan.js';
import { toIso } from '../domain/time.js';

/**
 * `db copy`: an existing SQLite database, every account and all its history, into PostgreSQL.
 *
 * Meetings go first, a batch of whole meetings per transaction (each with its attendees,
 * transcript, action items, highlights, talk time and search document), then contacts, teams,
 * team members, account_meetings, runs with their skipped items, and sync_state. Every table is
 * read in keyset pages of its key from one snapshot of the SQLite file, and every write is keyed
 * (pg-copy-target.ts), so a copy stopped anywhere (kill -9, a lost connection) is simply run
 * again: meetings the target already holds in the same or a newer version are skipped without
 * their rows being read, and nothing is written twice. Then each table is verified: every source
 * row's key must be in the target, or the target must hold a newer version of its meeting.
 *
 * The copy holds an advisory lock of its own (one copy into a database at a time) and the sync
 * lock of every account it copies, so no sync of those accounts writes into the target meanwhile.
 */

export interface DbCopyOptions {
  /** The SQLite database file. */
  source: string;
  /** The PostgreSQL connection string (shown only through describePgTarget). */
  target: string;
  /** About how many rows one transaction writes. */
  batchRows: number;
  now: () => number;
  signal?: AbortSignal;
  busyTimeoutMs?: number;
  onProgress?: (event: DbCopyProgress) => void;
  /** Called after each committed batch with how many there have been (a test seam stops the process here). */
  afterBatch?: (batches: number) => void;
}

export type DbCopyProgress =
  | { kind: 'start'; source: string; target: string; accounts: string[]; meetings: number }
  /** `done` of `total` source rows of `table` dealt with (copied, or found already there). */
  | { kind: 'table'; table: CopyTable; done: number; total: number; copied: number }
  | { kind: 'verify' };

export interface DbCopyResult {
  status: 'ok';
  source: string;
  target: string;
  accounts: string[];
  /** Transactions committed by this copy. */
  batches: number;
  /** Search documents (meeting_search) built for meetings that had none. */
  search_documents: number;
  tables: TableCount[];
}

/** The target lacks rows of the source after the copy: exit 1, with the counts. */
export class CopyVerificationError extends FailureError {
  constructor(readonly result: DbCopyResult) {
    const short = shortfalls(result.tables);
    super(
      `the copy in ${result.target} is incomplete: ${short.map((s) => `${s.table} lacks ${s.missing} of ${s.source_rows} rows`).join(', ')}`,
      'run db copy again: it copies what the target lacks. Meetings are copied whole, so one that lost rows in the target is copied again only once its row there is deleted (DELETE FROM meetings WHERE recording_id = ...; its rows go with it)',
    );
  }
}

/** Rows read from the source for verification at a time (keys only). */
const VERIFY_PAGE = 5000;
/** Meetings planned at a time: their keys and versions, checked against the target in one query. */
const HEADS_PAGE = 1000;
/** Runs per transaction at most (their skipped items come along). */
const RUNS_PAGE = 500;

const MERGED_TABLES: MergedTable[] = ['contacts', 'teams', 'team_members', 'account_meetings'];

export async function copyDatabase(options: DbCopyOptions): Promise<DbCopyResult> {
  const source = await SqliteCopySource.open(options.source, options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
  try {
    const failures = pgFailures(options.target);
    const client = await connectPg(options.target, { purpose: 'db-copy' });
    try {
      return await new Copy(source, client, options).run();
    } catch (err) {
      if (err instanceof FathomSyncError) throw err;
      const typed = failures.classify(err, { action: 'write' });
      if (typed) throw typed;
      if (err instanceof Error) err.message = redactPgSecrets(err.message, options.target);
      throw err;
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    source.close();
  }
}

class Copy {
  readonly target: PgCopyTarget;
  readonly copied = Object.fromEntries(COPY_TABLES.map((t) => [t, 0])) as Record<CopyTable, number>;
  readonly sourceRows = {} as Record<CopyTable, number>;
  batches = 0;

  constructor(
    private readonly source: SqliteCopySource,
    client: PgClient,
    private readonly options: DbCopyOptions,
  ) {
    this.target = new PgCopyTarget(client, options.target);
  }

  async run(): Promise<DbCopyResult> {
    const { source, target } = this;
    await target.lockCopy();
    await target.prepare(toIso(this.options.now()));
    const accounts = source.accounts();
    await target.lockAccounts(accounts);
    for (const table of COPY_TABLES) {
      await this.#checkColumns(table);
      this.sourceRows[table] = source.count(table);
    }
    this.options.onProgress?.({ kind: 'start', source: source.file, target: target.where, accounts, meetings: this.sourceRows.meetings });
    await target.bumpSequences(Object.fromEntries(ID_TABLES.map((t) => [t, source.maxId(t)])));

    await this.#copyMeetings();
    for (const table of MERGED_TABLES) await this.#copyMerged(table);
    await this.#copyRuns();
    await this.#copySyncState();
    const searchDocuments = await this.#buildMissingSearch();
    await target.bumpSequences({});

    this.options.onProgress?.({ kind: 'verify' });
    const result: DbCopyResult = {
      status: 'ok',
      source: source.file,
      target: target.where,
      accounts,
      batches: this.batches,
      search_documents: searchDocuments,
      tables: await this.#verify(),
    };
    if (shortfalls(result.tables).length > 0) throw new CopyVerificationError(result);
    return result;
  }

  /** The same columns on both sides, or the schemas have drifted apart and nothing is copied. */
  async #checkColumns(table: CopyTable): Promise<void> {
    const theirs = (await this.target.columns(table)).map((c) => c.name).sort();
    const ours = this.source.columns(table).sort();
    if (theirs.join() !== ours.join()) {
      throw new DatabaseError(
        `the ${table} table has other columns in ${this.target.where} (${theirs.join(', ')}) than in ${this.source.file} (${ours.join(', ')})`,
        'use the same fathom-sync version for the SQLite database and the PostgreSQL one (a sync upgrades the SQLite file)',
      );
    }
  }

  async #columnNames(table: CopyTable): Promise<string[]> {
    return (await this.target.columns(table)).map((c) => c.name);
  }

  /** A batch committed: counted, the seam told, and a stop asked for honoured between batches. */
  #committed(): void {
    this.batches += 1;
    this.options.afterBatch?.(this.batches);
    this.options.signal?.throwIfAborted();
  }

  #progress(table: CopyTable, done: number): void {
    this.options.onProgress?.({ kind: 'table', table, done, total: this.sourceRows[table], copied: this.copied[table] });
  }

  async #copyMeetings(): Promise<void> {
    const columns = {} as Record<'meetings' | MeetingChildTable, string[]>;
    for (const table of ['meetings', ...MEETING_CHILD_TABLES] as const) columns[table] = await this.#columnNames(table);
    let done = 0;
    for (let after: number | null = null; ; ) {
      const heads = this.source.meetingHeads(after, HEADS_PAGE);
      if (heads.length === 0) break;
      after = heads.at(-1)!.recording_id;
      const wanted = await this.target.meetingsToWrite(heads);
      for (const group of groupByWeight(
        heads.filter((h) => wanted.has(h.recording_id)),
        (h) => h.weight,
        this.options.batchRows,
      )) {
        const ids = group.map((h) => h.recording_id);
        const children = Object.fromEntries(MEETING_CHILD_TABLES.map((t) => [t, this.source.rowsOfMeetings(t, columns[t], ids)])) as Record<MeetingChildTable, SourceRow[]>;
        const written = await this.target.writeMeetings(this.source.rowsOfMeetings('meetings', columns.meetings, ids), children);
        for (const [table, n] of Object.entries(written)) this.copied[table as CopyTable] += n;
        this.#committed();
        this.#progress('meetings', done + heads.findIndex((h) => h.recording_id === ids.at(-1)) + 1);
      }
      done += heads.length;
      this.#progress('meetings', done);
    }
  }

  /** contacts, teams, team_members, account_meetings: keyset pages merged in. */
  async #copyMerged(table: MergedTable): Promise<void> {
    const columns = await this.#columnNames(table);
    const fold = table === 'contacts' ? (r: SourceRow) => String(r.email).toLowerCase() : table === 'team_members' ? (r: SourceRow) => `${String(r.team)}\u0000${String(r.email).toLowerCase()}` : null;
    let done = 0;
    for (let after: SqlValue[] | null = null; ; ) {
      const rows = this.source.page(table, columns, after, this.options.batchRows);
      if (rows.length === 0) break;
      after = SqliteCopySource.keyOf(table, rows.at(-1)!);
      this.copied[table] += await this.target.merge(table, fold ? firstPerKey(rows, fold) : rows);
      this.#committed();
      done += rows.length;
      this.#progress(table, done);
    }
  }

  async #copyRuns(): Promise<void> {
    const columns = await this.#columnNames('sync_runs');
    const skippedColumns = await this.#columnNames('skipped_items');
    let done = 0;
    for (let after: SqlValue[] | null = null; ; ) {
      const runs = this.source.page('sync_runs', columns, after, Math.min(RUNS_PAGE, this.options.batchRows));
      if (runs.length === 0) break;
      after = SqliteCopySource.keyOf('sync_runs', runs.at(-1)!);
      const skipped = this.source.skippedOfRuns(
        skippedColumns,
        runs.map((r) => Number(r.id)),
      );
      const written = await this.target.copyRuns(runs, skipped);
      this.copied.sync_runs += written.runs;
      this.copied.skipped_items += written.skipped;
      this.#committed();
      done += runs.length;
      this.#progress('sync_runs', done);
    }
  }

  /** sync_state, its last_run_id turned into the id that run has in the target. */
  async #copySyncState(): Promise<void> {
    const columns = await this.#columnNames('sync_state');
    const runColumns = await this.#columnNames('sync_runs');
    for (let after: SqlValue[] | null = null; ; ) {
      const rows = this.source.page('sync_state', columns, after, this.options.batchRows);
      if (rows.length === 0) break;
      after = SqliteCopySource.keyOf('sync_state', rows.at(-1)!);
      const runIds = [...new Set(rows.map((r) => r.last_run_id).filter((id): id is number => typeof id === 'number'))];
      const mapped = await this.target.runIdsFor(this.source.runsById(runColumns, runIds));
      const translated = rows.map((r) => (typeof r.last_run_id === 'number' && mapped.has(r.last_run_id) ? { ...r, last_run_id: mapped.get(r.last_run_id)! } : r));
      this.copied.sync_state += await this.target.mergeSyncState(translated);
      this.#committed();
      this.#progress('sync_state', rows.length);
    }
  }

  /** Search documents of any meeting in the target still without one (each meeting copied has its own already). */
  async #buildMissingSearch(): Promise<number> {
    let built = 0;
    for (let after: number | null = null; ; ) {
      const ids = await this.target.meetingsWithoutSearch(after, 200);
      if (ids.length === 0) return built;
      built += await this.target.buildSearchDocuments(ids);
      after = ids.at(-1)!;
    }
  }

  // --- verification ---

  async #verify(): Promise<TableCount[]> {
    const present = Object.fromEntries(COPY_TABLES.map((t) => [t, 0])) as Record<CopyTable, number>;
    const superseded = { ...present };
    await this.#verifyMeetings(present, superseded);
    for (const table of [...MERGED_TABLES, 'sync_state'] as const) present[table] = await this.#verifyKeys(table);
    await this.#verifyRuns(present);
    return COPY_TABLES.map((table) => ({ table, source_rows: this.sourceRows[table], copied: this.copied[table], present: present[table], superseded: superseded[table] }));
  }

  /**
   * Meetings and their rows: a meeting counts when the target has it; a child row when the
   * target holds the source's version of its meeting and a row of that key, or is superseded
   * when the target holds another (newer) version of its meeting.
   */
  async #verifyMeetings(present: Record<CopyTable, number>, superseded: Record<CopyTable, number>): Promise<void> {
    for (let after: number | null = null; ; ) {
      const heads = this.source.meetingHeads(after, HEADS_PAGE);
      if (heads.length === 0) return;
      after = heads.at(-1)!.recording_id;
      for (const group of groupByWeight(heads, (h) => h.weight, VERIFY_PAGE)) {
        const ids = group.map((h) => h.recording_id);
        const versions = await this.target.meetingVersions(ids);
        present.meetings += versions.size;
        const same = new Set(group.filter((h: MeetingHead) => sameVersion(h, versions.get(h.recording_id))).map((h) => h.recording_id));
        for (const table of MEETING_CHILD_TABLES) {
          const key = SOURCE_KEYS[table];
          const rows = this.source.rowsOfMeetings(table, key, ids);
          const mine = rows.filter((r) => same.has(Number(r.recording_id)));
          superseded[table] += rows.filter((r) => !same.has(Number(r.recording_id)) && versions.has(Number(r.recording_id))).length;
          present[table] += await this.target.countPresent(
            table,
            mine.map((r) => key.map((k) => r[k] ?? null)),
          );
        }
      }
    }
  }

  async #verifyKeys(table: KeyedTable & Exclude<CopyTable, 'skipped_items'>): Promise<number> {
    const key = SOURCE_KEYS[table];
    let found = 0;
    for (let after: SqlValue[] | null = null; ; ) {
      const rows = this.source.page(table, key, after, VERIFY_PAGE);
      if (rows.length === 0) return found;
      after = SqliteCopySource.keyOf(table, rows.at(-1)!);
      found += await this.target.countPresent(
        table,
        rows.map((r) => key.map((k) => r[k] ?? null)),
      );
    }
  }

  /** Runs by identity; skipped items per run, as many as the source has at most. */
  async #verifyRuns(present: Record<CopyTable, number>): Promise<void> {
    const columns = await this.#columnNames('sync_runs');
    for (let after: SqlValue[] | null = null; ; ) {
      const runs = this.source.page('sync_runs', columns, after, VERIFY_PAGE);
      if (runs.length === 0) return;
      after = SqliteCopySource.keyOf('sync_runs', runs.at(-1)!);
      const ids = await this.target.runIdsFor(runs);
      present.sync_runs += ids.size;
      const ours = this.source.skippedCounts(runs.map((r) => Number(r.id)));
      const theirs = await this.target.skippedCounts([...ids.values()]);
      for (const [run, n] of ours) present.skipped_items += Math.min(n, theirs.get(ids.get(run) ?? -1) ?? 0);
    }
  }
}

function sameVersion(head: MeetingHead, target: { last_synced_at: string; payload_sha256: string } | undefined): boolean {
  return target !== undefined && target.last_synced_at === head.last_synced_at && target.payload_sha256 === head.payload_sha256;
}
