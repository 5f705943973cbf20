import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { forEachStoredPayload } from './stored-payloads.js';

/**
 * meeting_search_fts: one row per meeting (its titles, summary, action items and whole
 * transcript), so that `search` ranks meetings with bm25 in milliseconds however common the
 * words are, then picks the matching lines inside the best meetings. Contentless: the text lives
 * in meetings and its child tables; this is only the index, written with the meeting.
 */
export interface MeetingSearchText {
  title: string;
  summary: string;
  actions: string;
  transcript: string;
}

export class MeetingSearchIndex {
  readonly #delete: Statement;
  readonly #insert: Statement;

  constructor(db: Db) {
    this.#delete = db.prepare('DELETE FROM meeting_search_fts WHERE rowid = ?');
    this.#insert = db.prepare('INSERT INTO meeting_search_fts (rowid, title, summary, actions, transcript) VALUES (?, ?, ?, ?, ?)');
  }

  /** Replaces a meeting's row. Runs inside the caller's transaction. */
  write(recordingId: number, text: MeetingSearchText): void {
    this.#delete.run(recordingId);
    this.#insert.run(recordingId, text.title, text.summary, text.actions, text.transcript);
  }
}

/** The searchable text of a meeting, from the parts Fathom sends. */
export function meetingSearchText(m: {
  title: string | null;
  meeting_title: string | null;
  default_summary: { markdown_formatted: string | null } | null;
  action_items: { description: string | null }[] | null;
  transcript: { text: string }[] | null;
}): MeetingSearchText {
  return {
    title: [m.title, m.meeting_title].filter(Boolean).join('\n'),
    summary: m.default_summary?.markdown_formatted ?? '',
    actions: (m.action_items ?? []).map((a) => a.description ?? '').join('\n'),
    transcript: (m.transcript ?? []).map((t) => t.text).join('\n'),
  };
}

/** Fills the index for every stored meeting (schema v4). */
export function rebuildMeetingSearch(db: Db): void {
  const index = new MeetingSearchIndex(db);
  forEachStoredPayload(db, (id, payload) => {
    const raw = payload as Parameters<typeof meetingSearchText>[0];
    index.write(id, meetingSearchText({ title: raw.title ?? null, meeting_title: raw.meeting_title ?? null, default_summary: raw.default_summary ?? null, action_items: raw.action_items ?? null, transcript: raw.transcript ?? null }));
  });
}
