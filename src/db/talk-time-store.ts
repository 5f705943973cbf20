import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { forEachStoredPayload } from './stored-payloads.js';
import { MeetingSchema, type Meeting } from '../api/schemas.js';
import { computeTalkTime, type TalkPerson, type TalkTime } from '../domain/talk-time.js';
import { hmsToSeconds } from '../domain/time.js';

/**
 * Talk time is computed when a meeting is written (and, by a migration, for meetings stored
 * before it existed) and kept in talk_time / talk_time_speakers, so `show`, `stats` and exports
 * read it instead of working it out from thousands of transcript lines each time.
 */

/** The talk time of a meeting as Fathom sent it; null without transcript lines. */
export function talkTimeOf(m: Meeting, teamMembers: readonly TalkPerson[]): TalkTime | null {
  const lines = (m.transcript ?? []).map((t) => ({
    speakerName: t.speaker.display_name ?? 'Unknown speaker',
    speakerEmail: t.speaker.matched_calendar_invitee_email,
    text: t.text,
    startSeconds: hmsToSeconds(t.timestamp),
  }));
  return computeTalkTime(lines, {
    attendees: m.calendar_invitees.map((a) => ({ name: a.name, email: a.email, isExternal: a.is_external, matchedSpeakerDisplayName: a.matched_speaker_display_name })),
    recorder: m.recorded_by ? { name: m.recorded_by.name, email: m.recorded_by.email } : null,
    teamMembers,
  });
}

export class TalkTimeWriter {
  readonly #delete: Statement;
  readonly #deleteSpeakers: Statement;
  readonly #insert: Statement;
  readonly #insertSpeaker: Statement;
  readonly #teamMembers: Statement;

  constructor(db: Db) {
    this.#delete = db.prepare('DELETE FROM talk_time WHERE recording_id = ?');
    this.#deleteSpeakers = db.prepare('DELETE FROM talk_time_speakers WHERE recording_id = ?');
    this.#insert = db.prepare(
      'INSERT INTO talk_time (recording_id, total_seconds, internal_share, external_share, unknown_share, switches_per_minute) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#insertSpeaker = db.prepare(
      `INSERT INTO talk_time_speakers (recording_id, seq, name, email, external, seconds, share, longest_monologue_seconds, questions)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#teamMembers = db.prepare('SELECT DISTINCT name, email FROM team_members');
  }

  /** The team members synced from Fathom: known to be internal. */
  teamMembers(): TalkPerson[] {
    return this.#teamMembers.all() as TalkPerson[];
  }

  /** Replaces a meeting's talk time. Runs inside the caller's transaction. */
  write(recordingId: number, talk: TalkTime | null): void {
    this.#delete.run(recordingId);
    this.#deleteSpeakers.run(recordingId);
    if (!talk) return;
    this.#insert.run(recordingId, talk.total_seconds, talk.internal_share, talk.external_share, talk.unknown_share, talk.switches_per_minute);
    talk.speakers.forEach((s, seq) => {
      this.#insertSpeaker.run(recordingId, seq, s.name, s.email, s.external === null ? null : s.external ? 1 : 0, s.seconds, s.share, s.longest_monologue_seconds, s.questions);
    });
  }
}

/**
 * Works out talk time again for every stored meeting with a transcript: when it first existed
 * (the schema v4 migration) and when the team members changed. Runs inside the caller's transaction.
 */
export function recomputeTalkTime(db: Db): void {
  const writer = new TalkTimeWriter(db);
  const team = writer.teamMembers();
  forEachStoredPayload(
    db,
    (id, raw) => {
      const parsed = MeetingSchema.safeParse(raw);
      if (parsed.success) writer.write(id, talkTimeOf(parsed.data, team));
    },
    'has_transcript = 1',
  );
}
