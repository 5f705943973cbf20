import { generateActionItems, generateCrmMatches, generateHighlights, generateSummary, generateTranscript, transcriptJson } from './content.js';
import type { Skeleton } from './skeleton.js';
import type { ContentKey, FullMeeting, IncludeFlags, MeetingSummary, TranscriptItem } from './types.js';

/**
 * The meeting as /meetings sends it with these include flags. Fields not included are null.
 * A pending meeting (content not processed yet) has transcript and default_summary null even
 * when included, and no action items yet ([]); highlights (user bookmarks) and CRM matches exist.
 * Invitees' matched_speaker_display_name is only filled when the transcript is included and
 * available (the spec: "When include_transcript is true").
 */
export function serializeMeeting(seed: number, sk: Skeleton, inc: IncludeFlags, transcriptStandIn?: unknown): FullMeeting {
  const b = sk.base;
  const o = sk.overrides;
  const withSpeakers = inc.transcript && !sk.pending;
  const invitees = withSpeakers
    ? b.calendar_invitees.map((i) => ({ ...i }))
    : b.calendar_invitees.map((i) => ({ ...i, matched_speaker_display_name: null }));
  const pick = <K extends ContentKey>(key: K, included: boolean, make: () => FullMeeting[K]): FullMeeting[K] => {
    if (!included) return null as FullMeeting[K];
    if (o && key in o) return structuredClone(o[key]) as FullMeeting[K];
    return make();
  };
  return {
    title: b.title,
    meeting_title: b.meeting_title,
    recording_id: b.recording_id,
    url: b.url,
    share_url: b.share_url,
    meeting_url: b.meeting_url,
    created_at: b.created_at,
    scheduled_start_time: b.scheduled_start_time,
    scheduled_end_time: b.scheduled_end_time,
    recording_start_time: b.recording_start_time,
    recording_end_time: b.recording_end_time,
    calendar_invitees_domains_type: b.calendar_invitees_domains_type,
    meeting_type: b.meeting_type,
    shared_with: b.shared_with,
    transcript_language: b.transcript_language,
    calendar_invitees: invitees,
    recorded_by: { ...b.recorded_by },
    transcript: pick('transcript', inc.transcript, () => (sk.pending ? null : transcriptStandIn !== undefined ? (transcriptStandIn as TranscriptItem[]) : generateTranscript(seed, sk))),
    default_summary: pick('default_summary', inc.summary, () => (sk.pending ? null : generateSummary(seed, sk))),
    action_items: pick('action_items', inc.actionItems, () => (sk.pending ? [] : generateActionItems(seed, sk))),
    highlights: pick('highlights', inc.highlights, () => generateHighlights(seed, sk)),
    crm_matches: pick('crm_matches', inc.crmMatches, () => generateCrmMatches(seed, sk)),
  };
}

/** GET /recordings/{id}/summary body value (null while pending). */
export function recordingSummary(seed: number, sk: Skeleton): MeetingSummary | null {
  if (sk.overrides && 'default_summary' in sk.overrides) return structuredClone(sk.overrides.default_summary ?? null);
  return sk.pending ? null : generateSummary(seed, sk);
}

/** GET /recordings/{id}/transcript body value (null while pending). */
export function recordingTranscript(seed: number, sk: Skeleton): TranscriptItem[] | null {
  if (sk.overrides && 'transcript' in sk.overrides) return structuredClone(sk.overrides.transcript ?? null);
  return sk.pending ? null : generateTranscript(seed, sk);
}

const STAND_IN = '\u0000transcript';
const STAND_IN_JSON = JSON.stringify(STAND_IN);

/**
 * A meeting as UTF-8 JSON, byte-identical to Buffer.from(JSON.stringify(serializeMeeting(...))),
 * with the transcript (nearly all of the bytes) written by transcriptJson.
 */
export function meetingJson(seed: number, sk: Skeleton, inc: IncludeFlags): Buffer {
  const fast = inc.transcript && !sk.pending && !(sk.overrides && 'transcript' in sk.overrides);
  if (!fast) return Buffer.from(JSON.stringify(serializeMeeting(seed, sk, inc)));
  const text = JSON.stringify(serializeMeeting(seed, sk, inc, STAND_IN));
  const at = text.indexOf(STAND_IN_JSON);
  return Buffer.concat([Buffer.from(text.slice(0, at)), transcriptJson(seed, sk), Buffer.from(text.slice(at + STAND_IN_JSON.length))]);
}

/** The body of GET /recordings/{id}/transcript, byte-identical to JSON.stringify({transcript}). */
export function recordingTranscriptJson(seed: number, sk: Skeleton): Buffer {
  if (sk.pending || (sk.overrides && 'transcript' in sk.overrides)) return Buffer.from(JSON.stringify({ transcript: recordingTranscript(seed, sk) }));
  return Buffer.concat([Buffer.from('{"transcript":'), transcriptJson(seed, sk), Buffer.from('}')]);
}
