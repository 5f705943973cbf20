import crypto from 'node:crypto';
import type { Meeting } from '../api/schemas.js';
import { canonicalTime, canonicalTimeOrNull, hmsToSeconds } from '../domain/time.js';

/**
 * A meeting as the rows every storage target writes (SQLite's MeetingWriter, PostgreSQL's
 * PgMeetingWriter): one mapping from Fathom's Meeting to columns, so both hold the same values.
 */

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

export const bit = (v: boolean | null | undefined): number | null => (v === null || v === undefined ? null : v ? 1 : 0);

/** The payload as stored (raw_json) and its hash, which tells a changed meeting from a re-read one. */
export function payloadOf(raw: unknown): { rawJson: string; sha: string } {
  const rawJson = JSON.stringify(raw);
  return { rawJson, sha: crypto.createHash('sha256').update(rawJson).digest('hex') };
}

/** The meetings columns, in the order of MEETING_COLUMNS (the sync times are the writer's). */
export const MEETING_COLUMNS = [
  'recording_id', 'title', 'meeting_title', 'meeting_type', 'url', 'share_url', 'meeting_url', 'created_at',
  'scheduled_start_time', 'scheduled_end_time', 'recording_start_time', 'recording_end_time', 'duration_seconds',
  'calendar_invitees_domains_type', 'shared_with', 'transcript_language',
  'recorded_by_name', 'recorded_by_email', 'recorded_by_email_domain', 'recorded_by_team',
  'summary_template_name', 'summary_markdown', 'crm_matches_json',
  'attendee_count', 'transcript_segment_count', 'action_item_count', 'has_summary', 'has_transcript', 'content_complete',
  'raw_json', 'payload_sha256',
] as const;

export type MeetingColumn = (typeof MEETING_COLUMNS)[number];

export function meetingColumns(m: Meeting, payload: { rawJson: string; sha: string }): Record<MeetingColumn, string | number | null> {
  const transcript = m.transcript ?? [];
  const actions = m.action_items ?? [];
  return {
    recording_id: m.recording_id,
    title: m.title,
    meeting_title: m.meeting_title,
    meeting_type: m.meeting_type,
    url: m.url,
    share_url: m.share_url,
    meeting_url: m.meeting_url,
    created_at: canonicalTime(m.created_at),
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
    content_complete: isContentComplete(m) ? 1 : 0,
    raw_json: payload.rawJson,
    payload_sha256: payload.sha,
  };
}

export interface ChildRows {
  attendees: [seq: number, name: string | null, email: string | null, emailDomain: string | null, isExternal: number | null, matched: string | null][];
  segments: [seq: number, speakerName: string | null, speakerEmail: string | null, text: string, timestamp: string | null, startSeconds: number | null][];
  actions: [
    seq: number,
    description: string | null,
    userGenerated: number | null,
    completed: number | null,
    recordingTimestamp: string | null,
    startSeconds: number | null,
    playbackUrl: string | null,
    assigneeName: string | null,
    assigneeEmail: string | null,
    assigneeTeam: string | null,
  ][];
  highlights: [seq: number, type: string | null, summary: string | null, text: string | null, startTime: number | null, endTime: number | null][];
  /** One per attendee with an email, in order: what contacts learns from this meeting (at its created_at). */
  contacts: { email: string; name: string | null; email_domain: string | null; is_external: number | null; at: string }[];
}

/** A meeting's child rows, each in its order (seq). */
export function childRows(m: Meeting): ChildRows {
  const at = canonicalTime(m.created_at);
  return {
    attendees: m.calendar_invitees.map((a, seq) => [seq, a.name, a.email, a.email_domain, bit(a.is_external), a.matched_speaker_display_name]),
    segments: (m.transcript ?? []).map((t, seq) => [seq, t.speaker.display_name, t.speaker.matched_calendar_invitee_email, t.text, t.timestamp, hmsToSeconds(t.timestamp)]),
    actions: (m.action_items ?? []).map((a, seq) => [
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
    ]),
    highlights: (m.highlights ?? []).map((h, seq) => [seq, h.type, h.summary, h.text, h.start_time, h.end_time]),
    contacts: m.calendar_invitees
      .filter((a) => a.email)
      .map((a) => ({ email: a.email!, name: a.name, email_domain: a.email_domain ?? a.email!.split('@')[1] ?? null, is_external: bit(a.is_external), at })),
  };
}
