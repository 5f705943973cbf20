import crypto from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import type { Meeting } from '../api/schemas.js';
import { canonicalTime, canonicalTimeOrNull, hmsToSeconds } from '../domain/time.js';
import { TalkTimeWriter, talkTimeOf } from './talk-time-store.js';
import { MeetingSearchIndex, meetingSearchText } from './meeting-search-index.js';
import type { TalkPerson } from '../domain/talk-time.js';

/** A meeting as it arrived, ready to be written: the validated object and the raw payload. */
export interface IncomingMeeting {
  meeting: Meeting;
  raw: unknown;
  /**
   * Whether Fathom was asked for its summary and transcript this time (default true). False when
   * they were left as stored (OAuth, a meeting not due again): an incomplete one is then not
   * counted as another try.
   */
  contentAsked?: boolean;
}

export interface PageWriteResult {
  new: number;
  updated: number;
  unchanged: number;
}

/**
 * Fathom sends null for a summary or transcript it has not produced yet. A summary with an
 * empty transcript (nobody spoke) is finished: rechecking it every hour would only drag every
 * incremental run's window back to it.
 */
export function isContentComplete(m: Meeting): boolean {
  return Boolean(m.default_summary?.markdown_formatted) && Array.isArray(m.transcript);
}

function durationSeconds(m: Meeting): number | null {
  if (!m.recording_start_time || !m.recording_end_time) return null;
  const d = (Date.parse(m.recording_end_time) - Date.parse(m.recording_start_time)) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : null;
}

const bit = (v: boolean | null | undefined): number | null => (v === null || v === undefined ? null : v ? 1 : 0);

/**
 * Writes meetings and their child rows. Callers wrap each page in one transaction
 * (SyncStore.commitPage) so a page lands whole or not at all.
 */
export class MeetingWriter {
  readonly #s: Record<string, Statement>;
  readonly #talkTime: TalkTimeWriter;
  readonly #search: MeetingSearchIndex;
  /** Team members known to be internal (for talk time); read again for each page (forgetTeam). */
  #team: TalkPerson[] | null = null;

  constructor(db: Db) {
    this.#talkTime = new TalkTimeWriter(db);
    this.#search = new MeetingSearchIndex(db);
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      existing: p('SELECT payload_sha256 FROM meetings WHERE recording_id = ?'),
      touch: p('UPDATE meetings SET last_synced_at = ? WHERE recording_id = ?'),
      // Another run asked for content Fathom has not produced (domain/content-retry.ts).
      contentTried: p('UPDATE meetings SET content_attempts = content_attempts + 1, content_checked_at = ? WHERE recording_id = ?'),
      upsert: p(`
        INSERT INTO meetings (
          recording_id, title, meeting_title, meeting_type, url, share_url, meeting_url, created_at,
          scheduled_start_time, scheduled_end_time, recording_start_time, recording_end_time, duration_seconds,
          calendar_invitees_domains_type, shared_with, transcript_language,
          recorded_by_name, recorded_by_email, recorded_by_email_domain, recorded_by_team,
          summary_template_name, summary_markdown, crm_matches_json,
          attendee_count, transcript_segment_count, action_item_count, has_summary, has_transcript, content_complete,
          raw_json, payload_sha256, first_synced_at, last_synced_at, last_changed_at
        ) VALUES (
          @recording_id, @title, @meeting_title, @meeting_type, @url, @share_url, @meeting_url, @created_at,
          @scheduled_start_time, @scheduled_end_time, @recording_start_time, @recording_end_time, @duration_seconds,
          @calendar_invitees_domains_type, @shared_with, @transcript_language,
          @recorded_by_name, @recorded_by_email, @recorded_by_email_domain, @recorded_by_team,
          @summary_template_name, @summary_markdown, @crm_matches_json,
          @attendee_count, @transcript_segment_count, @action_item_count, @has_summary, @has_transcript, @content_complete,
          @raw_json, @payload_sha256, @now, @now, @now
        )
        ON CONFLICT (recording_id) DO UPDATE SET
          title = excluded.title, meeting_title = excluded.meeting_title, meeting_type = excluded.meeting_type,
          url = excluded.url, share_url = excluded.share_url, meeting_url = excluded.meeting_url,
          created_at = excluded.created_at, scheduled_start_time = excluded.scheduled_start_time,
          scheduled_end_time = excluded.scheduled_end_time, recording_start_time = excluded.recording_start_time,
          recording_end_time = excluded.recording_end_time, duration_seconds = excluded.duration_seconds,
          calendar_invitees_domains_type = excluded.calendar_invitees_domains_type, shared_with = excluded.shared_with,
          transcript_language = excluded.transcript_language, recorded_by_name = excluded.recorded_by_name,
          recorded_by_email = excluded.recorded_by_email, recorded_by_email_domain = excluded.recorded_by_email_domain,
          recorded_by_team = excluded.recorded_by_team, summary_template_name = excluded.summary_template_name,
          summary_markdown = excluded.summary_markdown, crm_matches_json = excluded.crm_matches_json,
          attendee_count = excluded.attendee_count, transcript_segment_count = excluded.transcript_segment_count,
          action_item_count = excluded.action_item_count, has_summary = excluded.has_summary,
          has_transcript = excluded.has_transcript, content_complete = excluded.content_complete,
          content_attempts = CASE WHEN excluded.content_complete = 1 THEN 0 ELSE meetings.content_attempts END,
          raw_json = excluded.raw_json, payload_sha256 = excluded.payload_sha256,
          last_synced_at = excluded.last_synced_at, last_changed_at = excluded.last_changed_at`),
      delAttendees: p('DELETE FROM meeting_attendees WHERE recording_id = ?'),
      // External-content FTS5 needs the old values to remove a row from the index.
      unindexSegments: p(`INSERT INTO transcript_fts (transcript_fts, rowid, text, speaker_name)
                          SELECT 'delete', id, text, speaker_name FROM transcript_segments WHERE recording_id = ?`),
      delSegments: p('DELETE FROM transcript_segments WHERE recording_id = ?'),
      indexSegment: p('INSERT INTO transcript_fts (rowid, text, speaker_name) VALUES (?, ?, ?)'),
      delActions: p('DELETE FROM action_items WHERE recording_id = ?'),
      delHighlights: p('DELETE FROM highlights WHERE recording_id = ?'),
      attendee: p(`INSERT INTO meeting_attendees (recording_id, seq, name, email, email_domain, is_external, matched_speaker_display_name)
                   VALUES (?, ?, ?, ?, ?, ?, ?)`),
      segment: p(`INSERT INTO transcript_segments (recording_id, seq, speaker_name, speaker_email, text, timestamp, start_seconds)
                  VALUES (?, ?, ?, ?, ?, ?, ?)`),
      action: p(`INSERT INTO action_items (recording_id, seq, description, user_generated, completed, recording_timestamp,
                   start_seconds, playback_url, assignee_name, assignee_email, assignee_team)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      highlight: p(`INSERT INTO highlights (recording_id, seq, type, summary, text, start_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      contact: p(`
        INSERT INTO contacts (email, name, email_domain, is_external, first_meeting_at, last_meeting_at)
        VALUES (@email, @name, @email_domain, @is_external, @at, @at)
        ON CONFLICT (email) DO UPDATE SET
          name = COALESCE(excluded.name, contacts.name),
          email_domain = COALESCE(excluded.email_domain, contacts.email_domain),
          is_external = COALESCE(excluded.is_external, contacts.is_external),
          first_meeting_at = MIN(contacts.first_meeting_at, excluded.first_meeting_at),
          last_meeting_at = MAX(contacts.last_meeting_at, excluded.last_meeting_at)`),
    };
  }

  /**
   * Upserts one meeting; child rows are replaced, never duplicated. Must run inside a transaction.
   * Its times are stored in the canonical form (raw_json keeps them exactly as Fathom sent them).
   * An incomplete meeting whose content was asked for counts one more try, at `askedAt`.
   */
  write(incoming: IncomingMeeting, now: string, askedAt: string = now): 'new' | 'updated' | 'unchanged' {
    const { meeting: m } = incoming;
    const rawJson = JSON.stringify(incoming.raw);
    const sha = crypto.createHash('sha256').update(rawJson).digest('hex');
    const existing = this.#s.existing!.get(m.recording_id) as { payload_sha256: string } | undefined;
    const complete = isContentComplete(m);
    const tried = () => {
      if (!complete && incoming.contentAsked !== false) this.#s.contentTried!.run(askedAt, m.recording_id);
    };
    if (existing && existing.payload_sha256 === sha) {
      this.#s.touch!.run(now, m.recording_id);
      tried();
      return 'unchanged';
    }
    const id = m.recording_id;
    const transcript = m.transcript ?? [];
    const actions = m.action_items ?? [];
    const createdAt = canonicalTime(m.created_at);
    this.#s.upsert!.run({
      recording_id: id,
      title: m.title,
      meeting_title: m.meeting_title,
      meeting_type: m.meeting_type,
      url: m.url,
      share_url: m.share_url,
      meeting_url: m.meeting_url,
      created_at: createdAt,
      scheduled_start_time: canonicalTimeOrNull(m.scheduled_start_time),
      scheduled_end_time: canonicalTimeOrNull(m.scheduled_end_time),
      recording_start_time: canonicalTimeOrNull(m.recording_start_time),
      recording_end_time: canonicalTimeOrNull(m.recording_end_time),
      duration_seconds: durationSeconds(m),
      calendar_invitees_domains_type: m.calendar_invitees_domains_type,
      shared_with: m.shared_with,
      transcript_language: m.transcript_language,
      recorded_by_name: m.recorded_by?.name ?? null,
      recorded_by_email: m.recorded_by?.email ?? null,
      recorded_by_email_domain: m.recorded_by?.email_domain ?? null,
      recorded_by_team: m.recorded_by?.team ?? null,
      summary_template_name: m.default_summary?.template_name ?? null,
      summary_markdown: m.default_summary?.markdown_formatted ?? null,
      crm_matches_json: m.crm_matches === undefined || m.crm_matches === null ? null : JSON.stringify(m.crm_matches),
      attendee_count: m.calendar_invitees.length,
      transcript_segment_count: transcript.length,
      action_item_count: actions.length,
      has_summary: m.default_summary?.markdown_formatted ? 1 : 0,
      has_transcript: transcript.length > 0 ? 1 : 0,
      content_complete: complete ? 1 : 0,
      raw_json: rawJson,
      payload_sha256: sha,
      now,
    });
    tried();
    if (existing) {
      this.#s.delAttendees!.run(id);
      this.#s.unindexSegments!.run(id);
      this.#s.delSegments!.run(id);
      this.#s.delActions!.run(id);
      this.#s.delHighlights!.run(id);
    }
    m.calendar_invitees.forEach((a, seq) => {
      this.#s.attendee!.run(id, seq, a.name, a.email, a.email_domain, bit(a.is_external), a.matched_speaker_display_name);
      if (a.email) {
        this.#s.contact!.run({
          email: a.email,
          name: a.name,
          email_domain: a.email_domain ?? a.email.split('@')[1] ?? null,
          is_external: bit(a.is_external),
          at: createdAt,
        });
      }
    });
    transcript.forEach((t, seq) => {
      const { lastInsertRowid } = this.#s.segment!.run(id, seq, t.speaker.display_name, t.speaker.matched_calendar_invitee_email, t.text, t.timestamp, hmsToSeconds(t.timestamp));
      this.#s.indexSegment!.run(lastInsertRowid, t.text, t.speaker.display_name);
    });
    actions.forEach((a, seq) => {
      this.#s.action!.run(
        id,
        seq,
        a.description,
        bit(a.user_generated),
        bit(a.completed),
        a.recording_timestamp,
        hmsToSeconds(a.recording_timestamp),
        a.recording_playback_url,
        a.assignee?.name ?? null,
        a.assignee?.email ?? null,
        a.assignee?.team ?? null,
      );
    });
    (m.highlights ?? []).forEach((h, seq) => {
      this.#s.highlight!.run(id, seq, h.type, h.summary, h.text, h.start_time, h.end_time);
    });
    this.#team ??= this.#talkTime.teamMembers();
    this.#talkTime.write(id, talkTimeOf(m, this.#team));
    this.#search.write(id, meetingSearchText(m));
    return existing ? 'updated' : 'new';
  }

  /** Team members may have been synced since the last page: read them again on the next write. */
  forgetTeam(): void {
    this.#team = null;
  }
}
