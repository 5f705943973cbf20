/**
 * The objects of Fathom's API as the fake server sends them: components/schemas in
 * ../shared/fathom-api/openapi.assembled.yaml, and the include flags that choose the content.
 */

export type SharedWith = 'no_teams' | 'single_team' | 'multiple_teams' | 'all_teams';
export type DomainsType = 'only_internal' | 'one_or_more_external';

export interface Invitee {
  name: string | null;
  matched_speaker_display_name: string | null;
  email: string | null;
  email_domain: string | null;
  is_external: boolean;
}

export interface FathomUser {
  name: string;
  email: string;
  email_domain: string;
  team: string | null;
}

export interface TranscriptItem {
  speaker: { display_name: string; matched_calendar_invitee_email: string | null };
  text: string;
  timestamp: string;
}

export interface MeetingSummary {
  template_name: string | null;
  markdown_formatted: string | null;
}

export interface ActionItem {
  description: string;
  user_generated: boolean;
  completed: boolean;
  recording_timestamp: string;
  recording_playback_url: string;
  assignee: { name: string | null; email: string | null; team: string | null };
}

export interface Highlight {
  type: string;
  summary: string | null;
  text?: string;
  start_time: number;
  end_time: number;
}

export interface CrmMatches {
  contacts?: { name: string; email: string; record_url: string }[];
  companies?: { name: string; record_url: string }[];
  deals?: { name: string; amount: number; record_url: string }[];
  error?: string | null;
}

/** A Meeting object exactly as the spec (and /meetings with every include flag) has it. */
export interface FullMeeting {
  title: string;
  meeting_title: string | null;
  recording_id: number;
  url: string;
  share_url: string;
  meeting_url: string | null;
  created_at: string;
  scheduled_start_time: string | null;
  scheduled_end_time: string | null;
  recording_start_time: string;
  recording_end_time: string;
  calendar_invitees_domains_type: DomainsType;
  meeting_type: string | null;
  shared_with: SharedWith;
  transcript_language: string;
  calendar_invitees: Invitee[];
  recorded_by: FathomUser;
  transcript: TranscriptItem[] | null;
  default_summary: MeetingSummary | null;
  action_items: ActionItem[] | null;
  highlights: Highlight[] | null;
  crm_matches: CrmMatches | null;
}

/** The listing part of a meeting: everything but the generated content. */
export type MeetingBase = Omit<FullMeeting, ContentKey>;
export type ContentKey = 'transcript' | 'default_summary' | 'action_items' | 'highlights' | 'crm_matches';
export const CONTENT_KEYS: readonly ContentKey[] = ['transcript', 'default_summary', 'action_items', 'highlights', 'crm_matches'];

export interface IncludeFlags {
  transcript: boolean;
  summary: boolean;
  actionItems: boolean;
  highlights: boolean;
  crmMatches: boolean;
}

export const ALL_INCLUDES: IncludeFlags = { transcript: true, summary: true, actionItems: true, highlights: true, crmMatches: true };
