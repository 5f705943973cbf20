import Database from 'better-sqlite3';
import { expect } from 'vitest';

/** A time as fathom-sync stores it: always with milliseconds (Fathom's own form stays in raw_json). */
const stored = (time: string | null): string | null => (time === null ? null : new Date(Date.parse(time)).toISOString());

/**
 * What the comparison reads, the same statements on every storage target (tests/helpers/targets.ts
 * runs them on PostgreSQL too): child rows come with their recording_id, in seq order.
 */
export const TRUTH_SQL = {
  ids: 'SELECT recording_id FROM meetings ORDER BY created_at DESC, recording_id DESC',
  meetings: 'SELECT * FROM meetings',
  segments: 'SELECT recording_id, speaker_name, speaker_email, text, timestamp FROM transcript_segments ORDER BY recording_id, seq',
  attendees: 'SELECT recording_id, name, email, email_domain, is_external FROM meeting_attendees ORDER BY recording_id, seq',
  actions: 'SELECT recording_id, description, completed, assignee_email FROM action_items ORDER BY recording_id, seq',
  highlights: 'SELECT recording_id, type, summary, start_time, end_time FROM highlights ORDER BY recording_id, seq',
  contacts: 'SELECT COUNT(*) AS n FROM contacts',
} as const;

export type TruthRows = { [K in keyof typeof TRUTH_SQL]: Array<Record<string, any>> };

/** Child rows by recording, without the recording_id column. */
function byRecording(rows: Array<Record<string, any>>): Map<number, Array<Record<string, any>>> {
  const out = new Map<number, Array<Record<string, any>>>();
  for (const { recording_id: id, ...rest } of rows) {
    if (!out.has(id)) out.set(id, []);
    out.get(id)!.push(rest);
  }
  return out;
}

/**
 * Compares what a database holds (the answers to TRUTH_SQL, from any target) with the fake
 * server's ground truth, field by field.
 */
export function expectRowsMatch(rows: TruthRows, truth: Array<Record<string, any>>): void {
  expect(rows.ids.map((r) => r.recording_id)).toEqual(truth.map((m) => m.recording_id));
  const meetings = new Map(rows.meetings.map((r) => [r.recording_id as number, r]));
  const children = { segments: byRecording(rows.segments), attendees: byRecording(rows.attendees), actions: byRecording(rows.actions), highlights: byRecording(rows.highlights) };
  for (const t of truth) {
    const row = meetings.get(t.recording_id)!;
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
    expect(children.segments.get(t.recording_id) ?? []).toEqual(
      (t.transcript ?? []).map((s: any) => ({
        speaker_name: s.speaker.display_name,
        speaker_email: s.speaker.matched_calendar_invitee_email ?? null,
        text: s.text,
        timestamp: s.timestamp,
      })),
    );
    expect(children.attendees.get(t.recording_id) ?? []).toEqual(
      t.calendar_invitees.map((a: any) => ({ name: a.name, email: a.email, email_domain: a.email_domain, is_external: a.is_external ? 1 : 0 })),
    );
    expect(children.actions.get(t.recording_id) ?? []).toEqual(
      (t.action_items ?? []).map((a: any) => ({ description: a.description, completed: a.completed ? 1 : 0, assignee_email: a.assignee?.email ?? null })),
    );
    expect(children.highlights.get(t.recording_id) ?? []).toEqual(
      (t.highlights ?? []).map((h: any) => ({ type: h.type, summary: h.summary, start_time: h.start_time, end_time: h.end_time })),
    );
  }
  const emails = new Set(truth.flatMap((t) => t.calendar_invitees.map((a: any) => a.email?.toLowerCase()).filter(Boolean)));
  expect(rows.contacts).toEqual([{ n: emails.size }]);
}

/** Compares what the CLI stored in a SQLite file with the fake server's ground truth, field by field. */
export function expectDatabaseMatches(dbFile: string, truth: Array<Record<string, any>>): void {
  // Read-write only for FTS5's integrity-check command; nothing is changed.
  const db = new Database(dbFile);
  try {
    const rows = Object.fromEntries(Object.entries(TRUTH_SQL).map(([k, sql]) => [k, db.prepare(sql).all()])) as TruthRows;
    expectRowsMatch(rows, truth);
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
