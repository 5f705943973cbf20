import { RecordingContentError } from '../core/errors.js';
import type { FathomClient } from './client.js';
import { MeetingSchema, type SkippedItem, type ValidatedPage } from './schemas.js';

/**
 * The OAuth data path. Under OAuth Fathom refuses summary and transcript on GET /meetings, so they
 * come per recording (two heavy calls each), skipped for meetings whose content is already stored
 * complete. What is stored is read through a small port, so this module needs no database.
 */

/** A meeting as listed: the validated object and the raw payload (and, once completed, whether its content was asked for). */
export type ListedMeeting = ValidatedPage['meetings'][number] & { contentAsked?: boolean };

/** The summary and transcript already stored for a recording (the sync store is one). */
export interface StoredContentSource {
  /** The stored content of a meeting whose content is complete (any stored meeting, with includeIncomplete), else null. */
  storedContent(recordingId: number, options?: { includeIncomplete?: boolean }): { default_summary: unknown; transcript: unknown } | null | Promise<{ default_summary: unknown; transcript: unknown } | null>;
}

/** Whether this client must fetch summaries and transcripts per recording (it holds an OAuth token). */
export function fetchesContentPerRecording(client: FathomClient): boolean {
  return client.http.authKind === 'oauth';
}

/**
 * Completes listed meetings with their summary and transcript, merged into the listed payload as
 * Fathom sent them (checked against the schema by the client, not normalised), so raw_json holds
 * Fathom's own bytes here too.
 *
 * A recording whose content Fathom refuses (403, 404, ...) or sends in a shape that fails the
 * schema (RecordingContentError) must not fail the run, nor every later run that meets it again.
 * Its meeting keeps what did arrive and what an earlier run stored, so content_complete = 0 and
 * the next run asks again, and the problem is reported like an invalid list item (items_skipped,
 * skipped_items). Anything else (401 after renewal, retries spent, an abort) is the run's
 * problem and is rethrown.
 */
export async function withRecordingContent(
  meetings: ListedMeeting[],
  options: {
    client: FathomClient;
    stored: StoredContentSource;
    signal?: AbortSignal;
    onFetch?: (recordingId: number) => void;
    /**
     * Whether a meeting stored without its content is due to be asked again (domain/content-retry.ts);
     * one that is not keeps what is stored and costs no call. Default: always.
     */
    retryDue?: (recordingId: number) => boolean | Promise<boolean>;
  },
): Promise<{ meetings: ListedMeeting[]; skipped: SkippedItem[] }> {
  const { client, stored, signal } = options;
  const out: ListedMeeting[] = [];
  const skipped: SkippedItem[] = [];
  for (const item of meetings) {
    const id = item.meeting.recording_id;
    let content: { default_summary?: unknown; transcript?: unknown } | null = await stored.storedContent(id);
    let asked = false;
    if (!content && options.retryDue && !(await options.retryDue(id))) {
      content = await stored.storedContent(id, { includeIncomplete: true });
    }
    if (!content) {
      asked = true;
      options.onFetch?.(id);
      let summary: unknown;
      try {
        summary = await client.summary(id, signal);
        const transcript = await client.transcript(id, signal);
        content = { default_summary: summary, transcript };
      } catch (err) {
        if (!(err instanceof RecordingContentError)) throw err;
        // Keep what did arrive and what an earlier run stored: a refused call must never erase
        // a transcript or summary that is already in the database.
        const earlier = await stored.storedContent(id, { includeIncomplete: true });
        content = { default_summary: summary ?? earlier?.default_summary ?? null, transcript: earlier?.transcript ?? null };
        skipped.push({ recordingId: id, reason: `summary or transcript not (re)fetched; a later run that covers this meeting tries again: ${err.message}` });
      }
    }
    const raw = withSpeakerMatches({ ...(item.raw as object), ...content });
    out.push({ meeting: MeetingSchema.parse(raw), raw, contentAsked: asked });
  }
  return { meetings: out, skipped };
}

/**
 * Fathom fills calendar_invitees[].matched_speaker_display_name only when /meetings is asked
 * for the transcript, which OAuth clients may not do. The transcript fetched per recording
 * carries the same pairing from the other side (speaker.matched_calendar_invitee_email), so
 * the names are filled in from it: an invitee who speaks in the transcript gets their display
 * name, as with an API key. (An invitee Fathom matched who never speaks stays null.)
 */
export function withSpeakerMatches(raw: Record<string, unknown>): Record<string, unknown> {
  const invitees = raw.calendar_invitees;
  const transcript = raw.transcript;
  if (!Array.isArray(invitees) || !Array.isArray(transcript) || transcript.length === 0) return raw;
  const byEmail = new Map<string, string>();
  for (const item of transcript) {
    const speaker = (item as { speaker?: { display_name?: unknown; matched_calendar_invitee_email?: unknown } } | null)?.speaker;
    const email = speaker?.matched_calendar_invitee_email;
    if (typeof email === 'string' && typeof speaker?.display_name === 'string' && !byEmail.has(email.toLowerCase())) {
      byEmail.set(email.toLowerCase(), speaker.display_name);
    }
  }
  return {
    ...raw,
    calendar_invitees: invitees.map((invitee: unknown) => {
      const i = invitee as { email?: unknown; matched_speaker_display_name?: unknown } | null;
      if (!i || typeof i !== 'object' || (i.matched_speaker_display_name !== null && i.matched_speaker_display_name !== undefined)) return invitee;
      const name = typeof i.email === 'string' ? byEmail.get(i.email.toLowerCase()) : undefined;
      return name === undefined ? invitee : { ...i, matched_speaker_display_name: name };
    }),
  };
}
