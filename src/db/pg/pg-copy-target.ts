import { AlreadyRunningError, DatabaseError } from '../../core/errors.js';
import { MEETING_CHILD_TABLES, type CopyTable, type MeetingChildTable } from '../../domain/copy-plan.js';
import type { SourceRow, SqlValue } from '../copy/sqlite-source.js';
import { advisoryLockHolder, describeHolder, tryAdvisoryLock, tryLockAccount, accountLockHolder } from './account-lock.js';
import { describePgTarget, type PgClient } from './connection.js';
import { columnsOf, inTransaction } from './pg-sync-store.js';
import { PG_SCHEMA_VERSION, TS_CONFIG, migratePg, readPgSchemaVersion } from './schema.js';

/**
 * The PostgreSQL side of `db copy` (src/transfer/db-copy.ts): every statement is one multi-row
 * INSERT ... SELECT FROM unnest(arrays), each batch its own transaction, and every write is keyed
 * (ON CONFLICT, or a look-up by the row's own identity), so a copy run again after a crash adds
 * only what is missing and never a duplicate. What a row already in the target becomes is decided
 * here, table by table (README "Copy to PostgreSQL"):
 * - a meeting: the version with the newer last_synced_at wins, whole (its row, attendees,
 *   transcript, action items, highlights, talk time and search document together); a tie keeps the target's;
 * - contacts: one per address, earliest first and latest last meeting, the other fields of the more recent;
 * - teams and team members: the more recently read;
 * - account_meetings: first seen earliest, last seen latest;
 * - sync_state: per account, the row with the newer bookmark (then the later success or error);
 * - sync_runs: a run is the same run when account, trigger, mode, start and pid match; a new one
 *   keeps its id unless the target used it already (then it gets a new one, and its skipped items
 *   and sync_state.last_run_id follow); one already there is brought up to date from the source
 *   once it has ended there (it was still running when an earlier copy read it).
 */

/** A column as PostgreSQL has it: its name and its type's name (int8, int4, text, float8). */
export interface PgColumn {
  name: string;
  udt: string;
}

/** Tables with a generated integer id, whose sequences must stay ahead of the ids copied in. */
export const ID_TABLES = ['transcript_segments', 'action_items', 'sync_runs'] as const;
export type IdTable = (typeof ID_TABLES)[number];

/** The key that says "the same row" in the target, per table: columns and how they compare (lower() for emails). */
const TARGET_KEYS: Record<Exclude<CopyTable, 'sync_runs' | 'skipped_items'>, { column: string; udt: string; fold?: boolean }[]> = {
  meetings: [{ column: 'recording_id', udt: 'int8' }],
  meeting_attendees: [{ column: 'recording_id', udt: 'int8' }, { column: 'seq', udt: 'int4' }],
  transcript_segments: [{ column: 'recording_id', udt: 'int8' }, { column: 'seq', udt: 'int4' }],
  action_items: [{ column: 'recording_id', udt: 'int8' }, { column: 'seq', udt: 'int4' }],
  highlights: [{ column: 'recording_id', udt: 'int8' }, { column: 'seq', udt: 'int4' }],
  contacts: [{ column: 'email', udt: 'text', fold: true }],
  talk_time: [{ column: 'recording_id', udt: 'int8' }],
  talk_time_speakers: [{ column: 'recording_id', udt: 'int8' }, { column: 'seq', udt: 'int4' }],
  teams: [{ column: 'name', udt: 'text' }],
  team_members: [{ column: 'team', udt: 'text' }, { column: 'email', udt: 'text', fold: true }],
  account_meetings: [{ column: 'account', udt: 'text' }, { column: 'recording_id', udt: 'int8' }],
  sync_state: [{ column: 'account', udt: 'text' }],
};
export type KeyedTable = keyof typeof TARGET_KEYS;

/** The columns that identify a run across databases (its id may differ). */
const RUN_IDENTITY = [
  ['account', 'text'],
  ['trigger', 'text'],
  ['mode', 'text'],
  ['started_at', 'text'],
  ['pid', 'int4'],
] as const;

const COPY_LOCK = 'fathom-sync:db-copy';

/** `$n::type[], ...` for columns, numbered from `first`. */
function arrayParams(columns: readonly PgColumn[], first = 1): string {
  return columns.map((c, i) => `$${i + first}::${c.udt}[]`).join(', ');
}

/** The column arrays of `rows`, for unnest. */
function arraysOf(columns: readonly PgColumn[], rows: readonly SourceRow[]): unknown[][] {
  return columnsOf(
    rows.map((r) => columns.map((c) => r[c.name] ?? null)),
    columns.length,
  );
}

/** `col = expr, ...` and the WHERE that skips a row whose merged values equal the ones it has (so a rerun writes nothing). */
function mergeClause(alias: string, merged: Record<string, string>): string {
  const columns = Object.keys(merged);
  const sets = columns.map((c) => `${c} = ${merged[c]}`).join(', ');
  return `DO UPDATE SET ${sets} WHERE (${columns.map((c) => `${alias}.${c}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => merged[c]).join(', ')})`;
}

/** `excluded.col` when the source row is the more recent by `by`, else the target's (nulls filled from the other). */
const moreRecent = (alias: string, by: string) => (column: string) =>
  `CASE WHEN excluded.${by} > ${alias}.${by} THEN COALESCE(excluded.${column}, ${alias}.${column}) ELSE COALESCE(${alias}.${column}, excluded.${column}) END`;

/** The merge of each simple table: conflict target and merged values (see the header). */
const MERGES = {
  contacts: (() => {
    const pick = moreRecent('t', 'last_meeting_at');
    return {
      conflict: '((lower(email)))',
      merged: {
        name: pick('name'),
        email_domain: pick('email_domain'),
        is_external: pick('is_external'),
        first_meeting_at: 'LEAST(t.first_meeting_at, excluded.first_meeting_at)',
        last_meeting_at: 'GREATEST(t.last_meeting_at, excluded.last_meeting_at)',
      },
    };
  })(),
  teams: (() => {
    const pick = moreRecent('t', 'synced_at');
    return { conflict: '(name)', merged: { created_at: pick('created_at'), synced_at: 'GREATEST(t.synced_at, excluded.synced_at)' } };
  })(),
  team_members: (() => {
    const pick = moreRecent('t', 'synced_at');
    return {
      conflict: '(team, (lower(email)))',
      merged: { email: pick('email'), name: pick('name'), created_at: pick('created_at'), synced_at: 'GREATEST(t.synced_at, excluded.synced_at)' },
    };
  })(),
  account_meetings: {
    conflict: '(account, recording_id)',
    merged: { first_seen_at: 'LEAST(t.first_seen_at, excluded.first_seen_at)', last_seen_at: 'GREATEST(t.last_seen_at, excluded.last_seen_at)' },
  },
} as const;
export type MergedTable = keyof typeof MERGES;

/** A meeting's search document from its stored rows, weighted as the sync's writer weights it (pg-sync-store.ts). */
const SEARCH_DOCUMENT = `
  setweight(to_tsvector('${TS_CONFIG}', concat_ws(E'\\n', NULLIF(m.title, ''), NULLIF(m.meeting_title, ''))), 'A')
  || setweight(to_tsvector('${TS_CONFIG}', COALESCE(m.summary_markdown, '')), 'B')
  || setweight(to_tsvector('${TS_CONFIG}', COALESCE((SELECT string_agg(COALESCE(a.description, ''), E'\\n' ORDER BY a.seq) FROM action_items a WHERE a.recording_id = m.recording_id), '')), 'B')
  || setweight(to_tsvector('${TS_CONFIG}', COALESCE((SELECT string_agg(s.text, E'\\n' ORDER BY s.seq) FROM transcript_segments s WHERE s.recording_id = m.recording_id), '')), 'C')`;

export class PgCopyTarget {
  readonly where: string;
  readonly #columns = new Map<string, PgColumn[]>();

  constructor(
    private readonly client: PgClient,
    url: string,
  ) {
    this.where = describePgTarget(url);
  }

  /** Brings the schema to the current version; a database holding someone else's tables, or a newer schema, is refused. */
  async prepare(now: string): Promise<void> {
    const version = await readPgSchemaVersion(this.client);
    if (version === null) {
      throw new DatabaseError(`the PostgreSQL database ${this.where} holds tables that are not fathom-sync's (a "meetings" table without schema_migrations)`, 'copy into an empty database of its own: createdb fathom_sync');
    }
    if (version > PG_SCHEMA_VERSION) {
      throw new DatabaseError(`the PostgreSQL database ${this.where} has schema version ${version}, newer than this fathom-sync knows (${PG_SCHEMA_VERSION})`, 'upgrade fathom-sync on this machine: npm install -g fathom-sync');
    }
    await migratePg(this.client, now);
  }

  /** One copy into a database at a time: a session lock, gone with the connection (kill -9 included). */
  async lockCopy(): Promise<void> {
    if (await tryAdvisoryLock(this.client, COPY_LOCK)) return;
    const holder = await advisoryLockHolder(this.client, COPY_LOCK);
    throw new AlreadyRunningError(`another db copy into ${this.where} is running (${holder ? describeHolder(holder) : 'another connection'})`, 'wait for it to finish, then run db copy again: it copies only what is still missing');
  }

  /** The sync locks of the accounts being copied, held for the whole copy: a sync of one of them into this database is refused meanwhile, and a running one refuses the copy. */
  async lockAccounts(accounts: readonly string[]): Promise<void> {
    for (const account of accounts) {
      if (await tryLockAccount(this.client, account)) continue;
      const holder = await accountLockHolder(this.client, account);
      throw new AlreadyRunningError(
        `a sync of profile ${account} is running into ${this.where} (${holder ? describeHolder(holder) : 'another connection'}); db copy waits for no sync`,
        'run db copy again once that sync has finished',
      );
    }
  }

  /** The table's stored columns (the generated search columns left out), in table order. */
  async columns(table: CopyTable): Promise<PgColumn[]> {
    let cols = this.#columns.get(table);
    if (!cols) {
      const r = await this.client.query<PgColumn>(
        `SELECT column_name AS name, udt_name AS udt FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
        [table],
      );
      cols = r.rows;
      this.#columns.set(table, cols);
    }
    return cols;
  }

  /**
   * Moves each id sequence past the largest id in the table and past `floor` (the source's largest),
   * never back: ids the target hands out from now on (to a sync, or to a copied row whose id was
   * taken) cannot meet an id still to be copied.
   */
  async bumpSequences(floor: Partial<Record<IdTable, number>>): Promise<void> {
    for (const table of ID_TABLES) {
      await this.client.query(
        `WITH s AS (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq)
         SELECT setval(s.seq, GREATEST((SELECT max(id) FROM ${table}), $2::bigint, pg_sequence_last_value(s.seq), 1),
                       GREATEST((SELECT max(id) FROM ${table}), $2::bigint, pg_sequence_last_value(s.seq)) IS NOT NULL)
           FROM s`,
        [table, floor[table] ?? null],
      );
    }
  }

  /** Of these source meetings, those the target lacks or holds in an older version (last_synced_at): the ones to copy. */
  async meetingsToWrite(heads: readonly { recording_id: number; last_synced_at: string }[]): Promise<Set<number>> {
    if (heads.length === 0) return new Set();
    const r = await this.client.query<{ id: number }>(
      `SELECT u.id FROM unnest($1::int8[], $2::text[]) AS u(id, synced)
         LEFT JOIN meetings m ON m.recording_id = u.id
        WHERE m.recording_id IS NULL OR m.last_synced_at < u.synced COLLATE "C"`,
      [heads.map((h) => h.recording_id), heads.map((h) => h.last_synced_at)],
    );
    return new Set(r.rows.map((row) => row.id));
  }

  /**
   * Meetings and their child rows in one transaction: each meeting is inserted, or replaces the
   * target's older version (whose child rows and search document go), or, when the target's has
   * become as new meanwhile, is left alone with its rows. Rows written per table.
   */
  writeMeetings(meetings: readonly SourceRow[], children: Record<MeetingChildTable, SourceRow[]>): Promise<Record<'meetings' | MeetingChildTable, number>> {
    return inTransaction(this.client, async () => {
      const columns = await this.columns('meetings');
      const key = columns.filter((c) => c.name !== 'recording_id');
      const upserted = await this.client.query<{ recording_id: number; inserted: boolean }>(
        `INSERT INTO meetings AS m (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${arrayParams(columns)})
         ON CONFLICT (recording_id) DO UPDATE SET ${key.map((c) => `${c.name} = excluded.${c.name}`).join(', ')}
         WHERE m.last_synced_at < excluded.last_synced_at
         RETURNING recording_id, (xmax = 0) AS inserted`,
        arraysOf(columns, meetings),
      );
      const written = new Set(upserted.rows.map((r) => r.recording_id));
      const replaced = upserted.rows.filter((r) => !r.inserted).map((r) => r.recording_id);
      if (replaced.length) {
        for (const table of [...MEETING_CHILD_TABLES, 'meeting_search']) await this.client.query(`DELETE FROM ${table} WHERE recording_id = ANY($1::int8[])`, [replaced]);
      }
      const counts = { meetings: written.size } as Record<'meetings' | MeetingChildTable, number>;
      for (const table of MEETING_CHILD_TABLES) {
        counts[table] = await this.#insertKeepingIds(
          table,
          children[table].filter((row) => written.has(Number(row.recording_id))),
        );
      }
      await this.buildSearchDocuments([...written]);
      return counts;
    });
  }

  /**
   * Plain INSERT of rows as they are; a row's id is kept unless the target uses it already
   * (meetings synced into PostgreSQL before the copy), when it takes the next one from the
   * sequence, which bumpSequences moved past every id the source has.
   */
  async #insertKeepingIds(table: CopyTable, rows: readonly SourceRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const columns = await this.columns(table);
    const select = columns
      .map((c) => (c.name === 'id' ? `CASE WHEN EXISTS (SELECT 1 FROM ${table} t WHERE t.id = u.id) THEN nextval(pg_get_serial_sequence('${table}', 'id')) ELSE u.id END` : `u.${c.name}`))
      .join(', ');
    const r = await this.client.query(`INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT ${select} FROM unnest(${arrayParams(columns)}) AS u(${columns.map((c) => c.name).join(', ')})`, arraysOf(columns, rows));
    return r.rowCount ?? 0;
  }

  /** Search documents for these meetings where they have none (inside the caller's transaction, if any). */
  async buildSearchDocuments(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.client.query(
      `INSERT INTO meeting_search (recording_id, document)
       SELECT m.recording_id, ${SEARCH_DOCUMENT} FROM meetings m WHERE m.recording_id = ANY($1::int8[])
       ON CONFLICT (recording_id) DO NOTHING`,
      [ids],
    );
    return r.rowCount ?? 0;
  }

  /** The next meetings (after `after`) without a search document. */
  async meetingsWithoutSearch(after: number | null, limit: number): Promise<number[]> {
    const r = await this.client.query<{ id: number }>(
      `SELECT m.recording_id AS id FROM meetings m
        WHERE ($1::int8 IS NULL OR m.recording_id > $1) AND NOT EXISTS (SELECT 1 FROM meeting_search s WHERE s.recording_id = m.recording_id)
        ORDER BY m.recording_id LIMIT $2`,
      [after, limit],
    );
    return r.rows.map((row) => row.id);
  }

  /** Rows of contacts, teams, team_members or account_meetings merged in (one transaction); rows written. */
  merge(table: MergedTable, rows: readonly SourceRow[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return inTransaction(this.client, async () => {
      const columns = await this.columns(table);
      const { conflict, merged } = MERGES[table];
      const r = await this.client.query(
        `INSERT INTO ${table} AS t (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${arrayParams(columns)})
         ON CONFLICT ${conflict} ${mergeClause('t', merged)}`,
        arraysOf(columns, rows),
      );
      return r.rowCount ?? 0;
    });
  }

  /** The target's id of each of these source runs that it holds (matched by identity, not id). */
  async runIdsFor(runs: readonly SourceRow[]): Promise<Map<number, number>> {
    if (runs.length === 0) return new Map();
    const identity = RUN_IDENTITY.map(([name, udt]) => ({ name, udt }));
    const r = await this.client.query<{ src: number; id: number }>(
      `SELECT DISTINCT ON (u.src) u.src, r.id
         FROM unnest($1::int8[], ${arrayParams(identity, 2)}) AS u(src, ${identity.map((c) => c.name).join(', ')})
         JOIN sync_runs r ON ${identity.map((c) => (c.name === 'pid' ? 'r.pid IS NOT DISTINCT FROM u.pid' : c.name === 'started_at' ? 'r.started_at = u.started_at COLLATE "C"' : `r.${c.name} = u.${c.name}`)).join(' AND ')}
        ORDER BY u.src, (r.id = u.src) DESC, r.id`,
      [runs.map((run) => run.id), ...arraysOf(identity, runs)],
    );
    return new Map(r.rows.map((row) => [row.src, row.id]));
  }

  /**
   * Runs in one transaction, with their skipped items: those the target lacks are inserted, each
   * keeping its id where the target has not used it; those it has are brought up to date when the
   * source's row has changed since and the run has ended there (a run still going when an earlier
   * copy read it), their skipped items replaced. Returns the rows written and every run's target id.
   */
  copyRuns(runs: readonly SourceRow[], skipped: readonly SourceRow[]): Promise<{ runs: number; skipped: number; ids: Map<number, number> }> {
    return inTransaction(this.client, async () => {
      const present = await this.runIdsFor(runs);
      const ids = new Map(present);
      const columns = await this.columns('sync_runs');
      const missing = runs.filter((run) => !present.has(Number(run.id)));
      if (missing.length) {
        const chosen = await this.client.query<{ src: number; id: number }>(
          `SELECT u.src, CASE WHEN EXISTS (SELECT 1 FROM sync_runs r WHERE r.id = u.src) THEN nextval(pg_get_serial_sequence('sync_runs', 'id')) ELSE u.src END AS id
             FROM unnest($1::int8[]) AS u(src)`,
          [missing.map((run) => run.id)],
        );
        for (const row of chosen.rows) ids.set(row.src, row.id);
        await this.client.query(
          `INSERT INTO sync_runs (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${arrayParams(columns)})`,
          arraysOf(
            columns,
            missing.map((run) => ({ ...run, id: ids.get(Number(run.id))! })),
          ),
        );
      }
      const changed = await this.#changedRuns(
        columns,
        runs.filter((run) => present.has(Number(run.id)) && run.status !== 'running').map((run) => ({ ...run, id: present.get(Number(run.id))! })),
      );
      if (changed.length) {
        const rest = columns.filter((c) => c.name !== 'id');
        await this.client.query(
          `UPDATE sync_runs AS r SET (${rest.map((c) => c.name).join(', ')}) = (${rest.map((c) => `u.${c.name}`).join(', ')})
             FROM unnest(${arrayParams(columns)}) AS u(${columns.map((c) => c.name).join(', ')}) WHERE r.id = u.id`,
          arraysOf(columns, changed),
        );
        await this.client.query('DELETE FROM skipped_items WHERE run_id = ANY($1::int8[])', [changed.map((run) => run.id)]);
      }
      const changedIds = new Set(changed.map((run) => Number(run.id)));
      const rewritten = new Set(runs.map((run) => Number(run.id)).filter((id) => !present.has(id) || changedIds.has(present.get(id)!)));
      const skippedColumns = await this.columns('skipped_items');
      const theirs = skipped.filter((item) => rewritten.has(Number(item.run_id))).map((item) => ({ ...item, run_id: ids.get(Number(item.run_id))! }));
      const items = theirs.length
        ? await this.client.query(`INSERT INTO skipped_items (${skippedColumns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${arrayParams(skippedColumns)})`, arraysOf(skippedColumns, theirs))
        : { rowCount: 0 };
      return { runs: missing.length + changed.length, skipped: items.rowCount ?? 0, ids };
    });
  }

  /** Of these runs (source rows under their target ids), those whose target row differs. */
  async #changedRuns(columns: readonly PgColumn[], runs: readonly SourceRow[]): Promise<SourceRow[]> {
    if (runs.length === 0) return [];
    const r = await this.client.query<SourceRow>(`SELECT ${columns.map((c) => c.name).join(', ')} FROM sync_runs WHERE id = ANY($1::int8[])`, [runs.map((run) => run.id)]);
    const stored = new Map(r.rows.map((row) => [Number(row.id), row]));
    return runs.filter((run) => {
      const theirs = stored.get(Number(run.id));
      return theirs !== undefined && columns.some((c) => (run[c.name] ?? null) !== (theirs[c.name] ?? null));
    });
  }

  /** sync_state rows merged in (last_run_id already the target's id): per account, the newer bookmark's row wins. */
  mergeSyncState(rows: readonly SourceRow[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return inTransaction(this.client, async () => {
      const columns = await this.columns('sync_state');
      const newer =
        "ROW(COALESCE(excluded.bookmark, ''), COALESCE(GREATEST(excluded.last_success_at, excluded.last_error_at), '')) > ROW(COALESCE(t.bookmark, ''), COALESCE(GREATEST(t.last_success_at, t.last_error_at), ''))";
      const merged = Object.fromEntries(
        columns
          .filter((c) => c.name !== 'account')
          .map((c) => [c.name, c.name === 'teams_synced_at' ? 'GREATEST(t.teams_synced_at, excluded.teams_synced_at)' : `CASE WHEN ${newer} THEN excluded.${c.name} ELSE t.${c.name} END`]),
      );
      const r = await this.client.query(
        `INSERT INTO sync_state AS t (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${arrayParams(columns)})
         ON CONFLICT (account) ${mergeClause('t', merged)}`,
        arraysOf(columns, rows),
      );
      return r.rowCount ?? 0;
    });
  }

  // --- verification ---

  /** The version (last_synced_at, payload_sha256) the target holds of each of these meetings. */
  async meetingVersions(ids: readonly number[]): Promise<Map<number, { last_synced_at: string; payload_sha256: string }>> {
    if (ids.length === 0) return new Map();
    const r = await this.client.query<{ recording_id: number; last_synced_at: string; payload_sha256: string }>(
      'SELECT recording_id, last_synced_at, payload_sha256 FROM meetings WHERE recording_id = ANY($1::int8[])',
      [ids],
    );
    return new Map(r.rows.map((row) => [row.recording_id, { last_synced_at: row.last_synced_at, payload_sha256: row.payload_sha256 }]));
  }

  /** How many of these source keys the target has a row for (emails compared case-insensitively, as its unique indexes do). */
  async countPresent(table: KeyedTable, keys: readonly SqlValue[][]): Promise<number> {
    if (keys.length === 0) return 0;
    const def = TARGET_KEYS[table];
    const names = def.map((_, i) => `k${i}`);
    const match = def.map((d, i) => (d.fold ? `lower(t.${d.column}) = lower(k.${names[i]})` : `t.${d.column} = k.${names[i]}`)).join(' AND ');
    const r = await this.client.query<{ n: number }>(
      `SELECT count(*) AS n FROM unnest(${def.map((d, i) => `$${i + 1}::${d.udt}[]`).join(', ')}) AS k(${names.join(', ')})
        WHERE EXISTS (SELECT 1 FROM ${table} t WHERE ${match})`,
      columnsOf(keys as SqlValue[][], def.length),
    );
    return r.rows[0]!.n;
  }

  /** How many skipped items each of these target runs has. */
  async skippedCounts(runIds: readonly number[]): Promise<Map<number, number>> {
    if (runIds.length === 0) return new Map();
    const r = await this.client.query<{ run_id: number; n: number }>('SELECT run_id, count(*) AS n FROM skipped_items WHERE run_id = ANY($1::int8[]) GROUP BY run_id', [runIds]);
    return new Map(r.rows.map((row) => [row.run_id, row.n]));
  }
}
