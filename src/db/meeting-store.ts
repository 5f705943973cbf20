import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import type { Meeting } from '../api/schemas.js';
import { childRows, isContentComplete, meetingColumns, payloadOf } from './meeting-rows.js';
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

export { isContentComplete };

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
    const payload = payloadOf(incoming.raw);
    const existing = this.#s.existing!.get(m.recording_id) as { payload_sha256: string } | undefined;
    const complete = isContentComplete(m);
    const tried = () => {
      if (!complete && incoming.contentAsked !== false) this.#s.contentTried!.run(askedAt, m.recording_id);
    };
    if (existing && existing.payload_sha256 === payload.sha) {
      this.#s.touch!.run(now, m.recording_id);
      tried();
      return 'unchanged';
    }
    const id = m.recording_id;
    this.#s.upsert!.run({ ...meetingColumns(m, payload), now });
    tried();
    if (existing) {
      this.#s.delAttendees!.run(id);
      this.#s.unindexSegments!.run(id);
      this.#s.delSegments!.run(id);
      this.#s.delActions!.run(id);
      this.#s.delHighlights!.run(id);
    }
    const rows = childRows(m);
    for (const row of rows.attendees) this.#s.attendee!.run(id, ...row);
    for (const contact of rows.contacts) this.#s.contact!.run(contact);
    for (const row of rows.segments) {
      const { lastInsertRowid } = this.#s.segment!.run(id, ...row);
      this.#s.indexSegment!.run(lastInsertRowid, row[3], row[1]);
    }
    for (const row of rows.actions) this.#s.action!.run(id, ...row);
    for (const row of rows.highlights) this.#s.highlight!.run(id, ...row);
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
