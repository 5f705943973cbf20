/**
 * A stored meeting (the raw payload Fathom sent, validated when it was synced) read back for
 * rendering, without running the API schema again: exports of thousands of meetings spend their
 * time writing, not re-validating. Every field a renderer reads is normalised here (absent and
 * null are the same; anything of the wrong type reads as null).
 */

export interface MeetingDocument {
  recording_id: number;
  created_at: string;
  title: string | null;
  meeting_title: string | null;
  meeting_type: string | null;
  url: string | null;
  share_url: string | null;
  recording_start_time: string | null;
  recording_end_time: string | null;
  calendar_invitees_domains_type: string | null;
  recorded_by: { name: string | null; email: string | null; team: string | null } | null;
  calendar_invitees: { name: string | null; email: string | null; email_domain: string | null; is_external: boolean | null }[];
  default_summary: { markdown_formatted: string | null } | null;
  action_items: { description: string | null; completed: boolean | null; recording_timestamp: string | null; recording_playback_url: string | null; assignee: { name: string | null; email: string | null } | null }[] | null;
  transcript: { speaker: { display_name: string | null }; text: string; timestamp: string | null }[] | null;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const list = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : null);

export function toMeetingDocument(raw: unknown): MeetingDocument {
  const m = obj(raw) ?? {};
  const recorder = obj(m.recorded_by);
  const summary = obj(m.default_summary);
  return {
    recording_id: typeof m.recording_id === 'number' ? m.recording_id : 0,
    created_at: str(m.created_at) ?? '',
    title: str(m.title),
    meeting_title: str(m.meeting_title),
    meeting_type: str(m.meeting_type),
    url: str(m.url),
    share_url: str(m.share_url),
    recording_start_time: str(m.recording_start_time),
    recording_end_time: str(m.recording_end_time),
    calendar_invitees_domains_type: str(m.calendar_invitees_domains_type),
    recorded_by: recorder ? { name: str(recorder.name), email: str(recorder.email), team: str(recorder.team) } : null,
    calendar_invitees: (list(m.calendar_invitees) ?? []).map((i) => {
      const a = obj(i) ?? {};
      return { name: str(a.name), email: str(a.email), email_domain: str(a.email_domain), is_external: bool(a.is_external) };
    }),
    default_summary: summary ? { markdown_formatted: str(summary.markdown_formatted) } : null,
    action_items:
      list(m.action_items)?.map((i) => {
        const a = obj(i) ?? {};
        const assignee = obj(a.assignee);
        return {
          description: str(a.description),
          completed: bool(a.completed),
          recording_timestamp: str(a.recording_timestamp),
          recording_playback_url: str(a.recording_playback_url),
          assignee: assignee ? { name: str(assignee.name), email: str(assignee.email) } : null,
        };
      }) ?? null,
    transcript:
      list(m.transcript)?.map((i) => {
        const t = obj(i) ?? {};
        return { speaker: { display_name: str(obj(t.speaker)?.display_name) }, text: str(t.text) ?? '', timestamp: str(t.timestamp) };
      }) ?? null,
  };
}
