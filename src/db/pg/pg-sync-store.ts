import type { PgClient } from './connection.js';
import type { SkippedItem } from '../../api/schemas.js';
import { MeetingSchema } from '../../api/schemas.js';
import { applyBackfillChange, type PendingBackfill } from '../../domain/backfill.js';
import { toCounterFields, withWritten, type RunCounters } from '../../domain/counters.js';
import { contentRetryDue } from '../../domain/content-retry.js';
import type { TalkPerson } from '../../domain/talk-time.js';
import { MEETING_COLUMNS, childRows, isContentComplete, meetingColumns, payloadOf, type ChildRows, type MeetingColumn } from '../meeting-rows.js';
import { meetingSearchText } from '../meeting-search-index.js';
import { talkTimeOf } from '../talk-time-store.js';
import type { IncomingMeeting, PageWriteResult } from '../meeting-store.js';
import { NO_STATE, toSyncState, type SyncState, type SyncStateRow } from '../sync-state.js';
import type { FinishedRun, PageCommit, ProcessProbe, RunOutcome, RunStart, SyncTarget, TeamMemberRecord, TeamTarget } from '../sync-target.js';
import { TS_CONFIG } from './schema.js';

/**
 * The sync store on PostgreSQL, for one account: SyncStore's meanings (src/db/sync-store.ts) with
 * PostgreSQL's means. A page is one transaction; the meetings of a page are upserted in one
 * statement (ON CONFLICT, in recording_id order, so concurrent pages lock rows in one order) and
 * every child table is written in one statement per table (unnest of arrays), never a statement
 * per row. A meeting two accounts both see is one row: whichever page commits second waits for the
 * first on that row's lock, then updates it (or leaves it, when its payload is the same).
 */

/** SQL types of the meetings columns, for unnest. */
const MEETING_TYPES: Record<MeetingColumn, string> = Object.fromEntries(
  MEETING_COLUMNS.map((c) => [c, c === 'recording_id' ? 'bigint' : c === 'duration_seconds' ? 'float8' : /_count$|^has_|^content_complete$/.test(c) ? 'int' : 'text']),
) as Record<MeetingColumn, string>;

const UPSERT_MEETINGS = `
  INSERT INTO meetings (${MEETING_COLUMNS.join(', ')}, first_synced_at, last_synced_at, last_changed_at)
  SELECT u.*, $${MEETING_COLUMNS.length + 1}::text, $${MEETING_COLUMNS.length + 1}::text, $${MEETING_COLUMNS.length + 1}::text
    FROM unnest(${MEETING_COLUMNS.map((c, i) => `$${i + 1}::${MEETING_TYPES[c]}[]`).join(', ')}) AS u(${MEETING_COLUMNS.join(', ')})
  ON CONFLICT (recording_id) DO UPDATE SET
    ${MEETING_COLUMNS.filter((c) => c !== 'recording_id').map((c) => `${c} = excluded.${c}`).join(', ')},
    content_attempts = CASE WHEN excluded.content_complete = 1 THEN 0 ELSE meetings.content_attempts END,
    last_synced_at = excluded.last_synced_at, last_changed_at = excluded.last_changed_at
  WHERE meetings.payload_sha256 IS DISTINCT FROM excluded.payload_sha256
  RETURNING recording_id, (xmax = 0) AS inserted`;

/** Child tables a changed meeting's rows are replaced in (talk time and the search document included). */
const CHILD_TABLES = ['meeting_attendees', 'transcript_segments', 'action_items', 'highlights', 'talk_time', 'talk_time_speakers', 'meeting_search'];

/** SQLSTATEs after which a page's transaction is simply tried again: a deadlock or a serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);
const PAGE_TRIES = 5;

/** Column arrays from rows: [[a, b], [c, d]] -> [[a, c], [b, d]]. */
export function columnsOf<T extends unknown[]>(rows: T[], width: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => []);
  for (const row of rows) for (let i = 0; i < width; i += 1) out[i]!.push(row[i] ?? null);
  return out;
}

/** `INSERT INTO table (cols) SELECT * FROM unnest($1::t1[], ...)`: all rows in one statement. */
async function insertRows(client: PgClient, table: string, columns: [name: string, type: string][], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const sql = `INSERT INTO ${table} (${columns.map((c) => c[0]).join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ')})`;
  await client.query(sql, columnsOf(rows, columns.length));
}

/** In one transaction, tried again after a deadlock or serialization failure (nothing of a failed try is kept). */
export async function inTransaction<T>(client: PgClient, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    await client.query('BEGIN');
    try {
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      if (attempt >= PAGE_TRIES || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
    }
  }
}

export class PgSyncStore implements SyncTarget {
  constructor(
    private readonly client: PgClient,
    readonly account: string,
  ) {}

  async state(): Promise<SyncState> {
    const r = await this.client.query<SyncStateRow>('SELECT bookmark, last_success_at, last_run_id, last_error, last_error_at FROM sync_state WHERE account = $1', [this.account]);
    return r.rows[0] ? toSyncState(r.rows[0]) : { ...NO_STATE };
  }

  async pendingBackfill(): Promise<PendingBackfill | null> {
    const r = await this.client.query<{ backfill_from: string | null; backfill_before: string | null }>('SELECT backfill_from, backfill_before FROM sync_state WHERE account = $1', [this.account]);
    const row = r.rows[0];
    return !row || row.backfill_before === null ? null : { from: row.backfill_from, before: row.backfill_before };
  }

  async countCreatedBetween(from: string, to: string): Promise<number> {
    const r = await this.client.query<{ n: number }>(
      `SELECT count(*) AS n FROM meetings m JOIN account_meetings am ON am.recording_id = m.recording_id AND am.account = $1
        WHERE m.created_at >= $2 AND m.created_at <= $3`,
      [this.account, from, to],
    );
    return r.rows[0]!.n;
  }

  async oldestIncompleteSince(since: string, due: { tries: number; retryCutoff: string }): Promise<string | null> {
    const r = await this.client.query<{ at: string | null }>(
      `SELECT min(m.created_at) AS at FROM meetings m JOIN account_meetings am ON am.recording_id = m.recording_id AND am.account = $1
        WHERE m.content_complete = 0 AND m.created_at >= $2
          AND (m.content_attempts < $3 OR m.content_checked_at IS NULL OR m.content_checked_at <= $4)`,
      [this.account, since, due.tries, due.retryCutoff],
    );
    return r.rows[0]!.at;
  }

  async contentRetryDue(recordingId: number, now: number): Promise<boolean> {
    const r = await this.client.query<{ content_complete: number; content_attempts: number; content_checked_at: string | null }>(
      'SELECT content_complete, content_attempts, content_checked_at FROM meetings WHERE recording_id = $1',
      [recordingId],
    );
    const row = r.rows[0];
    if (!row || row.content_complete === 1) return true;
    return contentRetryDue({ attempts: row.content_attempts, checkedAt: row.content_checked_at }, now);
  }

  async storedContent(recordingId: number, options: { includeIncomplete?: boolean } = {}): Promise<{ default_summary: unknown; transcript: unknown } | null> {
    const r = await this.client.query<{ raw_json: string }>(`SELECT raw_json FROM meetings WHERE recording_id = $1${options.includeIncomplete ? '' : ' AND content_complete = 1'}`, [recordingId]);
    const row = r.rows[0];
    if (!row) return null;
    const raw = JSON.parse(row.raw_json) as { default_summary?: unknown; transcript?: unknown };
    return { default_summary: raw.default_summary ?? null, transcript: raw.transcript ?? null };
  }

  /**
   * Runs of this account left "running" were interrupted (kill -9, a lost connection, power loss):
   * the caller holds the account's advisory lock, so no other process runs one. The process
   * probe is SQLite's way; on a shared server the lock is the proof, whatever machine ran it.
   */
  async markInterruptedRuns(now: string, _processes: ProcessProbe): Promise<number> {
    const r = await this.client.query(
      "UPDATE sync_runs SET status = 'interrupted', ended_at = $1, error = 'the process stopped before the run finished' WHERE status = 'running' AND account = $2",
      [now, this.account],
    );
    return r.rowCount ?? 0;
  }

  async startRun(run: RunStart, now: string): Promise<number> {
    await this.#ensureState();
    const r = await this.client.query<{ id: number }>(
      `INSERT INTO sync_runs (account, trigger, mode, window_start, window_end, filters_json, pid, started_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running') RETURNING id`,
      [this.account, run.trigger, run.mode, run.windowStart, run.windowEnd, JSON.stringify(run.filters), run.pid, now],
    );
    return r.rows[0]!.id;
  }

  commitPage(args: PageCommit): Promise<PageWriteResult> {
    return inTransaction(this.client, async () => {
      const result = await writeMeetings(this.client, args.meetings, args.now, args.contentAskedAt ?? args.now);
      await this.#seen(args.meetings, args.now);
      await insertRows(this.client, 'skipped_items', [['run_id', 'bigint'], ['recording_id', 'bigint'], ['reason', 'text']], args.skipped.map((s: SkippedItem) => [args.runId, s.recordingId, s.reason]));
      await this.#saveCounters(args.runId, withWritten(args.counters, result));
      if (args.bookmark) await this.#advanceBookmark(args.bookmark);
      if (args.backfill?.length) {
        await this.#ensureState();
        const r = await this.client.query<{ backfill_from: string | null; backfill_before: string | null }>('SELECT backfill_from, backfill_before FROM sync_state WHERE account = $1 FOR UPDATE', [this.account]);
        const row = r.rows[0]!;
        const before: PendingBackfill | null = row.backfill_before === null ? null : { from: row.backfill_from, before: row.backfill_before };
        const next = args.backfill.reduce<PendingBackfill | null>(applyBackfillChange, before);
        await this.client.query('UPDATE sync_state SET backfill_from = $1, backfill_before = $2 WHERE account = $3', [next?.from ?? null, next?.before ?? null, this.account]);
      }
      return result;
    });
  }

  finishRun(runId: number, outcome: RunOutcome): Promise<void> {
    return inTransaction(this.client, async () => {
      await this.client.query('UPDATE sync_runs SET status = $1, ended_at = $2, error = $3 WHERE id = $4', [outcome.status, outcome.now, outcome.error ?? null, runId]);
      await this.#saveCounters(runId, outcome.counters);
      if (outcome.bookmark) await this.#advanceBookmark(outcome.bookmark);
      if (outcome.status === 'ok') await this.#recordSuccess(outcome.now, runId);
      else await this.#recordError(outcome.error ?? 'failed', outcome.now, runId);
    });
  }

  recordRefusedRun(run: FinishedRun): Promise<number> {
    return inTransaction(this.client, () => this.#refused(run));
  }

  recordUnrecordedRun(run: FinishedRun): Promise<number> {
    return inTransaction(this.client, async () => {
      const left = await this.client.query<{ id: number }>(
        "SELECT id FROM sync_runs WHERE status = 'running' AND account = $1 AND pid = $2 AND started_at <= $3 ORDER BY id DESC LIMIT 1",
        [this.account, run.pid, run.now],
      );
      const id = left.rows[0]?.id;
      if (id === undefined) return this.#refused(run);
      await this.client.query("UPDATE sync_runs SET status = 'failed', ended_at = $1, error = $2 WHERE id = $3", [run.now, run.error, id]);
      await this.#recordError(run.error, run.now, id);
      return id;
    });
  }

  /** Nothing to let go: the connection is the caller's. */
  close(): void {}

  async #refused(run: FinishedRun): Promise<number> {
    await this.#ensureState();
    const r = await this.client.query<{ id: number }>(
      `INSERT INTO sync_runs (account, trigger, mode, pid, started_at, ended_at, status, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [this.account, run.trigger, run.mode, run.pid, run.now, run.now, run.status, run.error],
    );
    const id = r.rows[0]!.id;
    if (run.status === 'failed') await this.#recordError(run.error, run.now, id);
    return id;
  }

  async #ensureState(): Promise<void> {
    await this.client.query('INSERT INTO sync_state (account) VALUES ($1) ON CONFLICT (account) DO NOTHING', [this.account]);
  }

  /** account_meetings: this account sees these meetings (first seen kept, last seen moved). */
  async #seen(meetings: IncomingMeeting[], now: string): Promise<void> {
    const ids = [...new Set(meetings.map((m) => m.meeting.recording_id))].sort((a, b) => a - b);
    if (ids.length === 0) return;
    await this.client.query(
      `INSERT INTO account_meetings (account, recording_id, first_seen_at, last_seen_at)
       SELECT $1, id, $3, $3 FROM unnest($2::bigint[]) AS id
       ON CONFLICT (account, recording_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
      [this.account, ids, now],
    );
  }

  async #saveCounters(runId: number, counters: RunCounters): Promise<void> {
    const c = toCounterFields(counters);
    await this.client.query(
      `UPDATE sync_runs SET pages = $1, requests = $2, retries = $3, rate_limited = $4, meetings_seen = $5, meetings_new = $6,
         meetings_updated = $7, items_skipped = $8 WHERE id = $9`,
      [c.pages, c.requests, c.retries, c.rate_limited, c.meetings_seen, c.meetings_new, c.meetings_updated, c.items_skipped, runId],
    );
  }

  /** The bookmark only ever moves forward (canonical times: text order is time order). */
  async #advanceBookmark(to: string): Promise<void> {
    await this.client.query(
      `INSERT INTO sync_state (account, bookmark) VALUES ($1, $2)
       ON CONFLICT (account) DO UPDATE SET bookmark = excluded.bookmark WHERE sync_state.bookmark IS NULL OR sync_state.bookmark < excluded.bookmark`,
      [this.account, to],
    );
  }

  async #recordSuccess(at: string, runId: number): Promise<void> {
    await this.#ensureState();
    await this.client.query('UPDATE sync_state SET last_success_at = $1, last_run_id = $2 WHERE account = $3', [at, runId, this.account]);
  }

  async #recordError(error: string, at: string, runId: number): Promise<void> {
    await this.#ensureState();
    await this.client.query('UPDATE sync_state SET last_error = $1, last_error_at = $2, last_run_id = $3 WHERE account = $4', [error, at, runId, this.account]);
  }
}

/**
 * Writes a page's meetings inside the caller's transaction: one upsert for all of them (a
 * meeting whose payload is unchanged is not rewritten: its row only records the sync), and the
 * changed ones' child rows, contacts, talk time and search document replaced, a statement per table.
 */
export async function writeMeetings(client: PgClient, incoming: IncomingMeeting[], now: string, askedAt: string): Promise<PageWriteResult> {
  const result: PageWriteResult = { new: 0, updated: 0, unchanged: 0 };
  if (incoming.length === 0) return result;
  // One row per recording (the last one sent), in recording_id order: ON CONFLICT may touch a row
  // once per statement, and concurrent pages then take row locks in the same order.
  const byId = new Map<number, IncomingMeeting>();
  for (const m of incoming) byId.set(m.meeting.recording_id, m);
  const meetings = [...byId.values()].sort((a, b) => a.meeting.recording_id - b.meeting.recording_id);
  const columns = meetings.map((m) => meetingColumns(m.meeting, payloadOf(m.raw)));
  const upserted = await client.query<{ recording_id: number; inserted: boolean }>(UPSERT_MEETINGS, [...MEETING_COLUMNS.map((c) => columns.map((row) => row[c])), now]);
  const changed = new Map(upserted.rows.map((r) => [r.recording_id, r.inserted]));
  const unchanged = meetings.filter((m) => !changed.has(m.meeting.recording_id)).map((m) => m.meeting.recording_id);
  if (unchanged.length) await client.query('UPDATE meetings SET last_synced_at = $1 WHERE recording_id = ANY($2::bigint[])', [now, unchanged]);
  // Another run asked for content Fathom has not produced (domain/content-retry.ts).
  const tried = meetings.filter((m) => !isContentComplete(m.meeting) && m.contentAsked !== false).map((m) => m.meeting.recording_id);
  if (tried.length) await client.query('UPDATE meetings SET content_attempts = content_attempts + 1, content_checked_at = $1 WHERE recording_id = ANY($2::bigint[])', [askedAt, tried]);
  for (const inserted of changed.values()) result[inserted ? 'new' : 'updated'] += 1;
  result.unchanged = unchanged.length;
  // Rows written for a recording by another account's page count as this page's "updated" here
  // only when the payload differed: the meeting itself is stored once.
  const rewritten = meetings.filter((m) => changed.has(m.meeting.recording_id));
  if (rewritten.length) await replaceChildRows(client, rewritten.map((m) => m.meeting));
  return result;
}

async function replaceChildRows(client: PgClient, meetings: IncomingMeeting['meeting'][]): Promise<void> {
  const ids = meetings.map((m) => m.recording_id);
  for (const table of CHILD_TABLES) await client.query(`DELETE FROM ${table} WHERE recording_id = ANY($1::bigint[])`, [ids]);
  const all: { id: number; rows: ChildRows }[] = meetings.map((m) => ({ id: m.recording_id, rows: childRows(m) }));
  const withId = <T extends unknown[]>(pick: (r: ChildRows) => T[]) => all.flatMap(({ id, rows }) => pick(rows).map((row) => [id, ...row]));
  await insertRows(client, 'meeting_attendees', [['recording_id', 'bigint'], ['seq', 'int'], ['name', 'text'], ['email', 'text'], ['email_domain', 'text'], ['is_external', 'int'], ['matched_speaker_display_name', 'text']], withId((r) => r.attendees));
  await insertRows(client, 'transcript_segments', [['recording_id', 'bigint'], ['seq', 'int'], ['speaker_name', 'text'], ['speaker_email', 'text'], ['text', 'text'], ['timestamp', 'text'], ['start_seconds', 'int']], withId((r) => r.segments));
  await insertRows(
    client,
    'action_items',
    [['recording_id', 'bigint'], ['seq', 'int'], ['description', 'text'], ['user_generated', 'int'], ['completed', 'int'], ['recording_timestamp', 'text'], ['start_seconds', 'int'], ['playback_url', 'text'], ['assignee_name', 'text'], ['assignee_email', 'text'], ['assignee_team', 'text']],
    withId((r) => r.actions),
  );
  await insertRows(client, 'highlights', [['recording_id', 'bigint'], ['seq', 'int'], ['type', 'text'], ['summary', 'text'], ['text', 'text'], ['start_time', 'float8'], ['end_time', 'float8']], withId((r) => r.highlights));
  await upsertContacts(client, all.flatMap(({ rows }) => rows.contacts));
  const team = (await client.query<TalkPerson>('SELECT DISTINCT name, email FROM team_members')).rows;
  await writeTalkTime(client, meetings.map((m) => ({ id: m.recording_id, talk: talkTimeOf(m, team) })));
  const docs = meetings.map((m) => ({ id: m.recording_id, text: meetingSearchText(m) }));
  await client.query(
    `INSERT INTO meeting_search (recording_id, document)
     SELECT id, setweight(to_tsvector('${TS_CONFIG}', t), 'A') || setweight(to_tsvector('${TS_CONFIG}', s), 'B')
             || setweight(to_tsvector('${TS_CONFIG}', a), 'B') || setweight(to_tsvector('${TS_CONFIG}', tr), 'C')
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, t, s, a, tr)`,
    [docs.map((d) => d.id), docs.map((d) => d.text.title), docs.map((d) => d.text.summary), docs.map((d) => d.text.actions), docs.map((d) => d.text.transcript)],
  );
}

/**
 * contacts, one row per address whatever its case. A page's attendees are folded first (one
 * statement may touch a row once): the last name and domain given win, the earliest and latest
 * meeting are kept, as SQLite's row-by-row upsert leaves them.
 */
async function upsertContacts(client: PgClient, contacts: ChildRows['contacts']): Promise<void> {
  const folded = new Map<string, { email: string; name: string | null; email_domain: string | null; is_external: number | null; first: string; last: string }>();
  for (const c of contacts) {
    const key = c.email.toLowerCase();
    const had = folded.get(key);
    if (!had) folded.set(key, { email: c.email, name: c.name, email_domain: c.email_domain, is_external: c.is_external, first: c.at, last: c.at });
    else {
      had.name = c.name ?? had.name;
      had.email_domain = c.email_domain ?? had.email_domain;
      had.is_external = c.is_external ?? had.is_external;
      if (c.at < had.first) had.first = c.at;
      if (c.at > had.last) had.last = c.at;
    }
  }
  const rows = [...folded.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => [c.email, c.name, c.email_domain, c.is_external, c.first, c.last]);
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO contacts (email, name, email_domain, is_external, first_meeting_at, last_meeting_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
     ON CONFLICT ((lower(email))) DO UPDATE SET
       name = COALESCE(excluded.name, contacts.name),
       email_domain = COALESCE(excluded.email_domain, contacts.email_domain),
       is_external = COALESCE(excluded.is_external, contacts.is_external),
       first_meeting_at = LEAST(contacts.first_meeting_at, excluded.first_meeting_at),
       last_meeting_at = GREATEST(contacts.last_meeting_at, excluded.last_meeting_at)`,
    columnsOf(rows, 6),
  );
}

async function writeTalkTime(client: PgClient, talks: { id: number; talk: ReturnType<typeof talkTimeOf> }[]): Promise<void> {
  const present = talks.filter((t) => t.talk !== null) as { id: number; talk: NonNullable<ReturnType<typeof talkTimeOf>> }[];
  await insertRows(
    client,
    'talk_time',
    [['recording_id', 'bigint'], ['total_seconds', 'float8'], ['internal_share', 'float8'], ['external_share', 'float8'], ['unknown_share', 'float8'], ['switches_per_minute', 'float8']],
    present.map(({ id, talk }) => [id, talk.total_seconds, talk.internal_share, talk.external_share, talk.unknown_share, talk.switches_per_minute]),
  );
  await insertRows(
    client,
    'talk_time_speakers',
    [['recording_id', 'bigint'], ['seq', 'int'], ['name', 'text'], ['email', 'text'], ['external', 'int'], ['seconds', 'float8'], ['share', 'float8'], ['longest_monologue_seconds', 'float8'], ['questions', 'int']],
    present.flatMap(({ id, talk }) => talk.speakers.map((s, seq) => [id, seq, s.name, s.email, s.external === null ? null : s.external ? 1 : 0, s.seconds, s.share, s.longest_monologue_seconds, s.questions])),
  );
}

/** Fathom's teams and members on PostgreSQL (TeamStore's meanings); each account reads them once a day. */
export class PgTeamStore implements TeamTarget {
  constructor(
    private readonly client: PgClient,
    private readonly account: string,
  ) {}

  async syncedAt(): Promise<string | null> {
    const r = await this.client.query<{ at: string | null }>('SELECT teams_synced_at AS at FROM sync_state WHERE account = $1', [this.account]);
    return r.rows[0]?.at ?? null;
  }

  replace(teams: { name: string; created_at: string | null }[], members: TeamMemberRecord[], now: string): Promise<{ membersChanged: boolean }> {
    return inTransaction(this.client, async () => {
      const key = (m: { team: string; email: string }) => `${m.team}\u0000${m.email.toLowerCase()}`;
      // Replacements by two accounts at once do not interleave: the second waits for the first.
      await this.client.query('LOCK TABLE teams IN SHARE ROW EXCLUSIVE MODE');
      // Another account's page works talk time out with the members it reads, after deleting from
      // talk_time: wait for pages in flight to commit (the recompute below then sees their meetings)
      // and hold later ones off until the new members are committed (they then read those).
      await this.client.query('LOCK TABLE talk_time IN SHARE ROW EXCLUSIVE MODE');
      const before = new Set((await this.client.query<{ team: string; email: string }>('SELECT team, email FROM team_members')).rows.map(key));
      const unique = [...new Map(members.map((m) => [key(m), m])).values()];
      const after = new Set(unique.map(key));
      const membersChanged = before.size !== after.size || [...after].some((k) => !before.has(k));
      await this.client.query('DELETE FROM team_members');
      await this.client.query('DELETE FROM teams');
      const uniqueTeams = [...new Map(teams.map((t) => [t.name, t])).values()];
      await insertRows(this.client, 'teams', [['name', 'text'], ['created_at', 'text'], ['synced_at', 'text']], uniqueTeams.map((t) => [t.name, t.created_at, now]));
      await insertRows(this.client, 'team_members', [['team', 'text'], ['email', 'text'], ['name', 'text'], ['created_at', 'text'], ['synced_at', 'text']], unique.map((m) => [m.team, m.email, m.name, m.created_at, now]));
      await this.client.query('INSERT INTO sync_state (account, teams_synced_at) VALUES ($1, $2) ON CONFLICT (account) DO UPDATE SET teams_synced_at = excluded.teams_synced_at', [this.account, now]);
      if (membersChanged) await recomputeTalkTimePg(this.client);
      return { membersChanged };
    });
  }
}

/** Talk time of every stored meeting with a transcript, worked out again (the team members changed). Inside the caller's transaction. */
async function recomputeTalkTimePg(client: PgClient): Promise<void> {
  const team = (await client.query<TalkPerson>('SELECT DISTINCT name, email FROM team_members')).rows;
  let after = -Number.MAX_SAFE_INTEGER;
  for (;;) {
    const batch = (await client.query<{ recording_id: number; raw_json: string }>('SELECT recording_id, raw_json FROM meetings WHERE has_transcript = 1 AND recording_id > $1 ORDER BY recording_id LIMIT 200', [after])).rows;
    if (batch.length === 0) return;
    const talks = batch.flatMap((row) => {
      const parsed = MeetingSchema.safeParse(JSON.parse(row.raw_json));
      return parsed.success ? [{ id: row.recording_id, talk: talkTimeOf(parsed.data, team) }] : [];
    });
    const ids = talks.map((t) => t.id);
    await client.query('DELETE FROM talk_time WHERE recording_id = ANY($1::bigint[])', [ids]);
    await client.query('DELETE FROM talk_time_speakers WHERE recording_id = ANY($1::bigint[])', [ids]);
    await writeTalkTime(client, talks);
    after = batch.at(-1)!.recording_id;
  }
}
