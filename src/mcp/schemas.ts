import { z } from 'zod';
import type { MeetingListItem, Person, TaskItem, TranscriptLine } from '../db/read/reader.js';
import type { PublicHit } from '../db/read/search.js';
import type { SpeakerTalkTotal, TalkTimeTotals } from '../db/read/stats.js';
import type { SpeakerTalkTime, TalkTime } from '../domain/talk-time.js';

/**
 * The shapes the MCP tools take and give, as zod schemas (the SDK turns them into the JSON
 * Schemas that `tools/list` advertises). Output schemas are exact: clients check structured
 * results against them with `additionalProperties: false`, so each one is tied to the read
 * layer's type it describes.
 */

const text = z.string().nullable();
const count = z.number().int().nonnegative();

// --- arguments ---

export const sinceArg = z.string().optional().describe('only meetings created on or after this date: YYYY-MM-DD (UTC) or an ISO date-time');
export const untilArg = z.string().optional().describe('only meetings created on or before this date: YYYY-MM-DD (that whole day, UTC) or an ISO date-time');
export const withArg = z
  .union([z.string(), z.array(z.string()).max(20)])
  .optional()
  .describe('only meetings with this attendee email or company domain (acme.com); a list matches any of them');
export const limitArg = (fallback: number, max: number) => z.number().int().min(1).max(max).optional().describe(`how many to return (default ${fallback}, at most ${max})`);
export const recordingIdArg = z
  .union([z.number().int(), z.string().min(1)])
  .describe('the meeting: its recording_id (from list_meetings or search_meetings), or a Fathom link to it');

// --- results ---

export const meetingListItemSchema = z.object({
  recording_id: z.number().int(),
  created_at: z.string(),
  title: text,
  duration_seconds: z.number().nullable(),
  recorded_by_name: text,
  recorded_by_email: text,
  external_domains: z.array(z.string()),
  attendee_count: count,
  action_item_count: count,
  open_action_item_count: count,
  has_transcript: z.boolean(),
  content_complete: z.boolean(),
  url: text,
  share_url: text,
}) satisfies z.ZodType<MeetingListItem>;

export const hitSchema = z.object({
  recording_id: z.number().int(),
  title: text,
  created_at: z.string(),
  kind: z.enum(['title', 'summary', 'transcript', 'action_item']),
  speaker_name: text,
  timestamp: text,
  start_seconds: z.number().nullable(),
  snippet: z.string().describe('the text around the match, matched words in [brackets]'),
  url: text,
}) satisfies z.ZodType<PublicHit>;

export const speakerTalkTimeSchema = z.object({
  name: z.string(),
  email: text,
  external: z.boolean().nullable(),
  seconds: z.number(),
  share: z.number(),
  longest_monologue_seconds: z.number(),
  questions: count,
}) satisfies z.ZodType<SpeakerTalkTime>;

export const talkTimeSchema = z.object({
  total_seconds: z.number(),
  internal_share: z.number(),
  external_share: z.number(),
  unknown_share: z.number(),
  switches_per_minute: z.number(),
  speakers: z.array(speakerTalkTimeSchema),
}) satisfies z.ZodType<TalkTime>;

export const talkTimeTotalsSchema = z.object({
  meetings: count,
  total_seconds: z.number(),
  internal_share: z.number().nullable(),
  external_share: z.number().nullable(),
  unknown_share: z.number().nullable(),
  speakers: z.array(
    z.object({
      name: z.string(),
      email: text,
      external: z.boolean().nullable(),
      meetings: count,
      seconds: z.number(),
      share: z.number().nullable(),
      questions: count,
      longest_monologue_seconds: z.number(),
    }) satisfies z.ZodType<SpeakerTalkTotal>,
  ),
}) satisfies z.ZodType<TalkTimeTotals>;

export const taskSchema = z.object({
  recording_id: z.number().int(),
  seq: count,
  meeting_title: text,
  meeting_created_at: z.string(),
  description: text,
  completed: z.boolean(),
  user_generated: z.boolean().nullable(),
  assignee_name: text,
  assignee_email: text,
  recording_timestamp: text,
  start_seconds: z.number().nullable(),
  playback_url: text,
  meeting_url: text,
  link: text,
}) satisfies z.ZodType<TaskItem>;

export const personSchema = z.object({
  email: z.string(),
  name: text,
  domain: text,
  external: z.boolean().nullable(),
  meetings: count,
  first_met: z.string(),
  last_met: z.string(),
  minutes_together: z.number(),
}) satisfies z.ZodType<Person>;

export const transcriptLineSchema = z.object({
  seq: count,
  speaker_name: text,
  speaker_email: text,
  text: z.string(),
  timestamp: text,
  start_seconds: z.number().nullable(),
}) satisfies z.ZodType<TranscriptLine>;
