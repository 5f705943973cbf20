import type { Statement } from 'better-sqlite3';
import type { Db } from '../db.js';
import type { TalkTime, SpeakerTalkTime } from '../../domain/talk-time.js';
import { playbackUrl } from '../../domain/playback.js';
import { meetingCondition, type MeetingFilter } from './filters.js';

/**
 * The read side: every question the read commands (list, show, export, people, tasks, stats,
 * search) and the MCP server ask of the database, in one place. It only reads; callers open the
 * database read-only (openReader), so it works while a sync writes and never takes the sync lock.
 */

export interface MeetingListItem {
  recording_id: number;
  created_at: string;
  title: string | null;
  duration_seconds: number | null;
  recorded_by_name: string | null;
  recorded_by_email: string | null;
  /** Company domains of external attendees, sorted. */
  external_domains: string[];
  attendee_count: number;
  action_item_count: number;
  open_action_item_count: number;
  has_transcript: boolean;
  content_complete: boolean;
  url: string | null;
  share_url: string | null;
}

export interface StoredMeeting {
  /** Fathom's Meeting object as it was last received (the raw payload, verbatim). */
  meeting: Record<string, unknown>;
  talk_time: TalkTime | null;
}

export interface MeetingPayload {
  recording_id: number;
  created_at: string;
  title: string | null;
  payload_sha256: string;
  raw_json: string;
}

export interface TaskItem {
  recording_id: number;
  seq: number;
  meeting_title: string | null;
  meeting_created_at: string;
  description: string | null;
  completed: boolean;
  user_generated: boolean | null;
  assignee_name: string | null;
  assignee_email: string | null;
  recording_timestamp: string | null;
  start_seconds: number | null;
  playback_url: string | null;
  meeting_url: string | null;
  /** The moment in the recording: Fathom's own playback link, else the meeting's link at the timestamp. */
  link: string | null;
}

export interface TaskFilter extends MeetingFilter {
  status?: 'open' | 'done' | 'all';
  assignee?: string;
}

export interface Person {
  email: string;
  name: string | null;
  domain: string | null;
  /** true external, false internal, null unknown. */
  external: boolean | null;
  meetings: number;
  first_met: string;
  last_met: string;
  minutes_together: number;
}

/** One transcript line as stored. */
export interface TranscriptLine {
  /** Position in the transcript, from 0; stable for a stored transcript (cursors point at it). */
  seq: number;
  speaker_name: string | null;
  speaker_email: string | null;
  text: string;
  timestamp: string | null;
  start_seconds: number | null;
}

/** Which lines of a transcript: a time range (seconds from the start, inclusive), one speaker, and where to continue. */
export interface TranscriptSlice {
  fromSeconds?: number;
  toSeconds?: number;
  /** A display name (case-insensitive) or the speaker's email. */
  speaker?: string;
  /** Only lines at or after this position (a page's continuation). */
  fromSeq?: number;
}

export type PeopleSort = 'meetings' | 'recent' | 'name' | 'minutes';

export interface PeopleFilter {
  /** Only this person. */
  email?: string;
  external?: boolean;
  domain?: string;
  sort?: PeopleSort;
  limit?: number;
}

const bool = (v: number | null | undefined): boolean | null => (v === null || v === undefined ? null : v !== 0);

/** The open/done state of an action item: Fathom sends completed true/false; anything else is open. */
const OPEN = 'coalesce(ai.completed, 0) = 0';

export class MeetingReader {
  /** Statements by SQL text: a reader serves many calls (an export, the MCP server), each preparing is work saved. */
  readonly #statements = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  #stmt(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  /** Recent meetings, newest first. */
  listMeetings(filter: MeetingFilter, limit: number | null): MeetingListItem[] {
    const where = meetingCondition(filter);
    const rows = this.#stmt(
        `SELECT m.recording_id, m.created_at, m.title, m.duration_seconds, m.recorded_by_name, m.recorded_by_email,
                m.attendee_count, m.action_item_count, m.has_transcript, m.content_complete, m.url, m.share_url,
                (SELECT group_concat(d, ' ') FROM (SELECT DISTINCT lower(coalesce(a.email_domain, substr(a.email, instr(a.email, '@') + 1))) AS d
                    FROM meeting_attendees a WHERE a.recording_id = m.recording_id AND a.is_external = 1 AND d IS NOT NULL AND d <> '' ORDER BY d)) AS domains,
                (SELECT count(*) FROM action_items ai WHERE ai.recording_id = m.recording_id AND ${OPEN}) AS open_actions
           FROM meetings m WHERE ${where.sql}
          ORDER BY m.created_at DESC, m.recording_id DESC ${limit === null ? '' : 'LIMIT ?'}`,
      )
      .all(...where.params, ...(limit === null ? [] : [limit])) as (Omit<MeetingListItem, 'external_domains' | 'has_transcript' | 'content_complete' | 'open_action_item_count'> & {
      domains: string | null;
      has_transcript: number;
      content_complete: number;
      open_actions: number;
    })[];
    return rows.map(({ domains, has_transcript, content_complete, open_actions, ...r }) => ({
      ...r,
      external_domains: domains ? domains.split(' ') : [],
      open_action_item_count: open_actions,
      has_transcript: has_transcript === 1,
      content_complete: content_complete === 1,
    }));
  }

  /** Recording ids matching the filter, newest first (for export). */
  meetingIds(filter: MeetingFilter): number[] {
    const where = meetingCondition(filter);
    return (this.#stmt(`SELECT m.recording_id FROM meetings m WHERE ${where.sql} ORDER BY m.created_at DESC, m.recording_id DESC`).all(...where.params) as { recording_id: number }[]).map(
      (r) => r.recording_id,
    );
  }

  /**
   * Meetings with their payload, newest first, in batches (an export of thousands never holds
   * them all in memory, and other queries may run between batches). `payload_sha256` changes
   * whenever Fathom's payload does.
   */
  *meetingPayloads(filter: MeetingFilter, batchSize = 500): Generator<MeetingPayload> {
    yield* this.#inBatches<MeetingPayload>(filter, 'm.recording_id, m.created_at, m.title, m.payload_sha256, m.raw_json', batchSize);
  }

  /** The same without the payloads: what an export needs to tell an unchanged meeting from a changed one. */
  *meetingHeads(filter: MeetingFilter, batchSize = 2000): Generator<Omit<MeetingPayload, 'raw_json'>> {
    yield* this.#inBatches<Omit<MeetingPayload, 'raw_json'>>(filter, 'm.recording_id, m.created_at, m.title, m.payload_sha256', batchSize);
  }

  /** One meeting's payload as stored; null when there is no such meeting. */
  rawJson(recordingId: number): string | null {
    return (this.#stmt('SELECT raw_json FROM meetings WHERE recording_id = ?').get(recordingId) as { raw_json: string } | undefined)?.raw_json ?? null;
  }

  /**
   * A digest of the team members: talk time depends on the payload and on them, so an export
   * knows its files are current when neither changed.
   */
  teamDigest(): string {
    return (this.#stmt("SELECT group_concat(lower(email) || ':' || coalesce(name, ''), ',') FROM (SELECT DISTINCT email, name FROM team_members ORDER BY lower(email), name)").pluck().get() as string | null) ?? '';
  }

  *#inBatches<T extends { recording_id: number; created_at: string }>(filter: MeetingFilter, columns: string, batchSize: number): Generator<T> {
    const where = meetingCondition(filter);
    const first = this.#stmt(`SELECT ${columns} FROM meetings m WHERE ${where.sql} ORDER BY m.created_at DESC, m.recording_id DESC LIMIT ?`);
    const next = this.#stmt(
      `SELECT ${columns} FROM meetings m WHERE (${where.sql}) AND (m.created_at, m.recording_id) < (?, ?) ORDER BY m.created_at DESC, m.recording_id DESC LIMIT ?`,
    );
    let batch = first.all(...where.params, batchSize) as T[];
    while (batch.length > 0) {
      yield* batch;
      const last = batch.at(-1)!;
      batch = batch.length < batchSize ? [] : (next.all(...where.params, last.created_at, last.recording_id, batchSize) as T[]);
    }
  }

  /** A recording id, or the id of the meeting whose Fathom link (url or share_url) this is. */
  resolveMeetingRef(ref: string): number | null {
    const trimmed = ref.trim();
    if (/^-?\d+$/.test(trimmed)) {
      const id = Number(trimmed);
      return this.#stmt('SELECT 1 FROM meetings WHERE recording_id = ?').get(id) ? id : null;
    }
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return null;
    }
    // A link pasted from the browser may carry ?timestamp= or other parameters: match on the path.
    const base = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    const row = this.#stmt(
        `SELECT recording_id FROM meetings
          WHERE rtrim(url, '/') = ? OR rtrim(share_url, '/') = ? OR url LIKE ? ESCAPE '\\' OR share_url LIKE ? ESCAPE '\\'
          ORDER BY created_at DESC LIMIT 1`,
      )
      .get(base, base, `${escapeLike(base)}?%`, `${escapeLike(base)}?%`) as { recording_id: number } | undefined;
    return row?.recording_id ?? null;
  }

  getMeeting(recordingId: number): StoredMeeting | null {
    const row = this.#stmt('SELECT raw_json FROM meetings WHERE recording_id = ?').get(recordingId) as { raw_json: string } | undefined;
    if (!row) return null;
    return { meeting: JSON.parse(row.raw_json) as Record<string, unknown>, talk_time: this.talkTime(recordingId) };
  }

  talkTime(recordingId: number): TalkTime | null {
    const head = this.#stmt('SELECT total_seconds, internal_share, external_share, unknown_share, switches_per_minute FROM talk_time WHERE recording_id = ?').get(recordingId) as
      | Omit<TalkTime, 'speakers'>
      | undefined;
    if (!head) return null;
    const speakers = this.#stmt('SELECT name, email, external, seconds, share, longest_monologue_seconds, questions FROM talk_time_speakers WHERE recording_id = ? ORDER BY seq')
      .all(recordingId) as (Omit<SpeakerTalkTime, 'external'> & { external: number | null })[];
    return { ...head, speakers: speakers.map((s) => ({ ...s, external: bool(s.external) })) };
  }

  tasks(filter: TaskFilter, limit: number | null): TaskItem[] {
    const where = meetingCondition(filter);
    const parts = [where.sql];
    const params: (string | number)[] = [...where.params];
    const status = filter.status ?? 'open';
    if (status === 'open') parts.push(OPEN);
    if (status === 'done') parts.push('ai.completed = 1');
    if (filter.assignee) {
      parts.push('lower(ai.assignee_email) = ?');
      params.push(filter.assignee.toLowerCase());
    }
    const rows = this.#stmt(
        `SELECT ai.recording_id, ai.seq, m.title AS meeting_title, m.created_at AS meeting_created_at, ai.description, ai.completed,
                ai.user_generated, ai.assignee_name, ai.assignee_email, ai.recording_timestamp, ai.start_seconds, ai.playback_url,
                coalesce(m.share_url, m.url) AS meeting_url
           FROM action_items ai JOIN meetings m ON m.recording_id = ai.recording_id
          WHERE ${parts.join(' AND ')}
          ORDER BY m.created_at DESC, ai.recording_id DESC, ai.seq ${limit === null ? '' : 'LIMIT ?'}`,
      )
      .all(...params, ...(limit === null ? [] : [limit])) as (Omit<TaskItem, 'completed' | 'user_generated' | 'link'> & { completed: number | null; user_generated: number | null })[];
    return rows.map((r) => ({ ...r, completed: r.completed === 1, user_generated: bool(r.user_generated), link: r.playback_url ?? playbackUrl(r.meeting_url, r.start_seconds) }));
  }

  /**
   * Everyone met: each attendee email with their meetings, first and last meeting and the minutes
   * spent together (the recordings' durations). Internal or external comes from the invitations
   * (the latest that says), else from the synced team members (internal), else unknown.
   */
  people(filter: PeopleFilter = {}): Person[] {
    const order: Record<PeopleSort, string> = {
      meetings: 'meetings DESC, last_met DESC, email',
      recent: 'last_met DESC, email',
      name: 'coalesce(name, email) COLLATE NOCASE, email',
      minutes: 'minutes_together DESC, email',
    };
    const having: string[] = [];
    const params: (string | number)[] = [];
    if (filter.external !== undefined) having.push(filter.external ? 'external = 1' : 'external = 0');
    if (filter.email) {
      having.push('email = ?');
      params.push(filter.email.toLowerCase());
    }
    if (filter.domain) {
      having.push('domain = ?');
      params.push(filter.domain.replace(/^@/, '').toLowerCase());
    }
    const rows = this.#stmt(
        `WITH seen AS (
           -- One row per person and meeting, however often the invitation lists them.
           SELECT lower(a.email) AS email, max(a.name) AS name, max(a.is_external) AS is_external, m.recording_id, m.created_at, m.duration_seconds,
                  max(lower(coalesce(a.email_domain, substr(a.email, instr(a.email, '@') + 1)))) AS domain
             FROM meeting_attendees a JOIN meetings m ON m.recording_id = a.recording_id
            WHERE a.email IS NOT NULL AND a.email <> ''
            GROUP BY lower(a.email), m.recording_id
         ), people AS (
           SELECT email,
                  (SELECT s2.name FROM seen s2 WHERE s2.email = seen.email AND s2.name IS NOT NULL ORDER BY s2.created_at DESC LIMIT 1) AS name,
                  max(domain) AS domain,
                  coalesce((SELECT s3.is_external FROM seen s3 WHERE s3.email = seen.email AND s3.is_external IS NOT NULL ORDER BY s3.created_at DESC LIMIT 1),
                           CASE WHEN EXISTS (SELECT 1 FROM team_members t WHERE lower(t.email) = seen.email) THEN 0 END) AS external,
                  count(DISTINCT recording_id) AS meetings, min(created_at) AS first_met, max(created_at) AS last_met,
                  round(coalesce(sum(duration_seconds), 0) / 60.0, 1) AS minutes_together
             FROM seen GROUP BY email
         )
         SELECT * FROM people ${having.length ? `WHERE ${having.join(' AND ')}` : ''}
          ORDER BY ${order[filter.sort ?? 'meetings']} ${filter.limit ? 'LIMIT ?' : ''}`,
      )
      .all(...params, ...(filter.limit ? [filter.limit] : [])) as (Omit<Person, 'external'> & { external: number | null })[];
    return rows.map((r) => ({ ...r, external: bool(r.external) }));
  }

  /**
   * A meeting's transcript lines in order, or the slice asked for. Streamed (an iterator over the
   * statement): a caller that fills pages stops reading when a page is full.
   */
  *transcriptLines(recordingId: number, slice: TranscriptSlice = {}): Generator<TranscriptLine> {
    const where = transcriptCondition(recordingId, slice);
    yield* this.#stmt(`SELECT seq, speaker_name, speaker_email, text, timestamp, start_seconds FROM transcript_segments s WHERE ${where.sql} ORDER BY seq`)
      .iterate(...where.params) as IterableIterator<TranscriptLine>;
  }

  /** How many lines transcriptLines would give for this slice (ignoring fromSeq). */
  transcriptLineCount(recordingId: number, slice: Omit<TranscriptSlice, 'fromSeq'> = {}): number {
    const where = transcriptCondition(recordingId, slice);
    return (this.#stmt(`SELECT count(*) AS n FROM transcript_segments s WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
  }

  /** The meeting count and newest meeting, for "nothing synced yet" messages. */
  meetingCount(): number {
    return (this.#stmt('SELECT count(*) AS n FROM meetings').get() as { n: number }).n;
  }
}

function transcriptCondition(recordingId: number, slice: TranscriptSlice): { sql: string; params: (string | number)[] } {
  const parts = ['s.recording_id = ?'];
  const params: (string | number)[] = [recordingId];
  if (slice.fromSeconds !== undefined) {
    parts.push('s.start_seconds >= ?');
    params.push(slice.fromSeconds);
  }
  if (slice.toSeconds !== undefined) {
    parts.push('s.start_seconds <= ?');
    params.push(slice.toSeconds);
  }
  if (slice.speaker !== undefined) {
    parts.push('(s.speaker_name = ? COLLATE NOCASE OR s.speaker_email = ? COLLATE NOCASE)');
    params.push(slice.speaker, slice.speaker);
  }
  if (slice.fromSeq !== undefined) {
    parts.push('s.seq >= ?');
    params.push(slice.fromSeq);
  }
  return { sql: parts.join(' AND '), params };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
