import Database from 'better-sqlite3';
import { expect } from 'vitest';

/** A time as fathom-sync stores it: always with milliseconds (Fathom's own form stays in raw_json). */
const stored = (time: string | null): string | null => (time === null ? null : new Date(Date.parse(time)).toISOString());

/** Compares what the CLI stored with the fake server's ground truth, field by field. */
export function expectDatabaseMatches(dbFile: string, truth: Array<Record<string, any>>): void {
  // Read-write only for FTS5's integrity-check command; nothing is changed.
  const db = new Database(dbFile);
  try {
    const ids = db.prepare('SELECT recording_id FROM meetings ORDER BY created_at DESC, recording_id DESC').pluck().all();
    expect(ids).toEqual(truth.map((m) => m.recording_id));
    const meeting = db.prepare('SELECT * FROM meetings WHERE recording_id = ?');
    const segments = db.prepare('SELECT speaker_name, speaker_email, text, timestamp FROM transcript_segments WHERE recording_id = ? ORDER BY seq');
    const attendees = db.prepare('SELECT name, email, email_domain, is_external FROM meeting_attendees WHERE recording_id = ? ORDER BY seq');
    const actions = db.prepare('SELECT description, completed, assignee_email FROM action_items WHERE recording_id = ? ORDER BY seq');
    const highlights = db.prepare('SELECT type, summary, start_time, end_time FROM highlights WHERE recording_id = ? ORDER BY seq');
    for (const t of truth) {
      const row = meeting.get(t.recording_id) as Record<string, any>;
      expect(row, `meeting ${t.recording_id}`).toMatchObject({
        title: t.title,
        meeting_title: t.meeting_title,
        meeting_type: t.meeting_type,
        url: t.url,
        share_url: t.share_url,
        created_at: stored(t.created_at),
        recording_start_time: stored(t.recording_start_time),
        shared_with: t.shared_with,
        recorded_by_email: t.recorded_by.email,
        recorded_by_team: t.recorded_by.team,
        summary_markdown: t.default_summary?.markdown_formatted ?? null,
        content_complete: t.default_summary && Array.isArray(t.transcript) ? 1 : 0,
      });
      expect(JSON.parse(row.raw_json)).toEqual(t);
      expect(segments.all(t.recording_id)).toEqual(
        (t.transcript ?? []).map((s: any) => ({
          speaker_name: s.speaker.display_name,
          speaker_email: s.speaker.matched_calendar_invitee_email ?? null,
          text: s.text,
          timestamp: s.timestamp,
        })),
      );
      expect(attendees.all(t.recording_id)).toEqual(
        t.calendar_invitees.map((a: any) => ({ name: a.name, email: a.email, email_domain: a.email_domain, is_external: a.is_external ? 1 : 0 })),
      );
      expect(actions.all(t.recording_id)).toEqual(
        (t.action_items ?? []).map((a: any) => ({ description: a.description, completed: a.completed ? 1 : 0, assignee_email: a.assignee?.email ?? null })),
      );
      expect(highlights.all(t.recording_id)).toEqual(
        (t.highlights ?? []).map((h: any) => ({ type: h.type, summary: h.summary, start_time: h.start_time, end_time: h.end_time })),
      );
    }
    const emails = new Set(truth.flatMap((t) => t.calendar_invitees.map((a: any) => a.email?.toLowerCase()).filter(Boolean)));
    expect(db.prepare('SELECT COUNT(*) FROM contacts').pluck().get()).toBe(emails.size);
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    db.exec("INSERT INTO transcript_fts(transcript_fts) VALUES('integrity-check')");
  } finally {
    db.close();
  }
}

export function query<T = unknown>(dbFile: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
