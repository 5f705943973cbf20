import { z } from 'zod';
import { MeetingSchema } from '../../api/schemas.js';
import { parseSearchQuery } from '../../domain/search-query.js';
import { renderMeetingMarkdown } from '../../domain/meeting-markdown.js';
import { publicSearchResult, searchMeetings, SNIPPET_CLOSE, SNIPPET_OPEN, type HitKind, type SearchHit } from '../../db/read/search.js';
import type { MeetingListItem } from '../../db/read/reader.js';
import { meetingFilterOf, resolveMeeting } from '../arguments.js';
import { link, mdText, minutes, plural, table, when } from '../markdown.js';
import { hitSchema, limitArg, meetingListItemSchema, recordingIdArg, sinceArg, talkTimeSchema, untilArg, withArg } from '../schemas.js';
import { defineTool } from '../tool-kit.js';

/** Finding meetings and reading one: search_meetings, list_meetings, get_meeting. */

const KIND_LABEL: Record<HitKind, string> = { title: 'title', summary: 'summary', transcript: 'transcript', action_item: 'action item' };

export const searchMeetingsTool = defineTool({
  name: 'search_meetings',
  title: 'Search meetings',
  description:
    'Full-text search over every synced meeting: titles, summaries, transcript lines and action items, best matches first. ' +
    'Query language: words (all must match), "exact phrase", -word to leave out, a OR b, prefix*. ' +
    'Each hit gives the recording_id for get_meeting / get_transcript, the moment (timestamp) and a link to it.',
  input: z.object({
    query: z.string().describe('what to find, e.g. renewal pricing, "annual plan", discount -internal, pric*'),
    since: sinceArg,
    until: untilArg,
    speaker: z.string().optional().describe('only transcript lines spoken by this speaker (their display name, case-insensitive)'),
    with: withArg,
    limit: limitArg(20, 100),
  }),
  output: z.object({ query: z.string(), total: z.number().int().describe('all matches, of which `hits` are the best'), hits: z.array(hitSchema) }),
  run(args, reader) {
    const parsed = parseSearchQuery(args.query);
    const speaker = args.speaker?.trim();
    const filter = { ...meetingFilterOf(args), ...(speaker ? { speaker } : {}) };
    const result = searchMeetings(reader.db, parsed, filter, args.limit ?? 20);
    return { text: searchMarkdown(args.query, result.total, result.hits), structured: publicSearchResult(args.query, result) };
  },
});

/** A snippet as Markdown: its text literal, the matched words in bold. */
const snippetMarkdown = (snippet: string) => mdText(snippet).split(SNIPPET_OPEN).join('**').split(SNIPPET_CLOSE).join('**');

function searchMarkdown(query: string, total: number, hits: SearchHit[]): string {
  if (total === 0) return `No matches for \`${mdText(query)}\`. Try fewer words, a prefix (pric*), or OR between alternatives.`;
  const head = `${plural(total, 'match', 'matches')} for \`${mdText(query)}\`${hits.length < total ? ` (the best ${hits.length}; raise limit for more)` : ''}:`;
  const items = hits.map((hit, i) => {
    const where = [KIND_LABEL[hit.kind], hit.speaker_name ? mdText(hit.speaker_name) : null, hit.timestamp ? `at ${mdText(hit.timestamp)}` : null].filter(Boolean).join(' · ');
    const open = link('open', hit.url);
    return `${i + 1}. **${mdText(hit.title ?? '(untitled)')}** · ${when(hit.created_at)} · ${where} · recording_id ${hit.recording_id}${open ? ` · ${open}` : ''}\n   > ${snippetMarkdown(hit.snippet)}`;
  });
  return [head, '', ...items].join('\n');
}

export const listMeetingsTool = defineTool({
  name: 'list_meetings',
  title: 'List meetings',
  description: 'Recent meetings, newest first, optionally within dates or with a person or company: date, length, title, external companies, attendees, action items and recording_id.',
  input: z.object({ since: sinceArg, until: untilArg, with: withArg, limit: limitArg(20, 200) }),
  output: z.object({ meetings: z.array(meetingListItemSchema) }),
  run(args, reader) {
    const meetings = reader.listMeetings(meetingFilterOf(args), args.limit ?? 20);
    return { text: meetingListMarkdown(meetings), structured: { meetings } };
  },
});

function meetingListMarkdown(meetings: MeetingListItem[]): string {
  if (meetings.length === 0) return 'No meetings match.';
  return `${plural(meetings.length, 'meeting')}, newest first (times UTC):\n\n${table(
    ['date', 'length', 'title', 'external companies', 'attendees', 'open / all action items', 'recording_id'],
    meetings.map((m) => [
      when(m.created_at),
      minutes(m.duration_seconds),
      mdText(m.title ?? '(untitled)'),
      mdText(m.external_domains.join(', ')) || '-',
      m.attendee_count,
      `${m.open_action_item_count} / ${m.action_item_count}`,
      m.recording_id,
    ]),
  )}`;
}

const meetingSchema = z.object({
  recording_id: z.number().int(),
  title: z.string().nullable(),
  created_at: z.string(),
  duration_seconds: z.number().nullable(),
  url: z.string().nullable(),
  share_url: z.string().nullable(),
  recorded_by: z.object({ name: z.string().nullable(), email: z.string().nullable() }).nullable(),
  attendees: z.array(z.object({ name: z.string().nullable(), email: z.string().nullable(), external: z.boolean().nullable() })),
  summary_markdown: z.string().nullable().describe("Fathom's summary, Markdown"),
  action_items: z.array(
    z.object({
      description: z.string().nullable(),
      completed: z.boolean(),
      assignee_name: z.string().nullable(),
      assignee_email: z.string().nullable(),
      recording_timestamp: z.string().nullable(),
      playback_url: z.string().nullable(),
    }),
  ),
  talk_time: talkTimeSchema.nullable(),
  transcript_lines: z.number().int().describe('lines in the transcript: read them with get_transcript'),
});

export const getMeetingTool = defineTool({
  name: 'get_meeting',
  title: 'Get a meeting',
  description: 'One meeting: when, how long, who recorded it, attendees (internal or external), the summary, action items and talk time. The transcript comes from get_transcript.',
  input: z.object({ recording_id: recordingIdArg }),
  output: meetingSchema,
  run(args, reader) {
    const id = resolveMeeting(reader, args.recording_id);
    const stored = reader.getMeeting(id)!;
    const m = MeetingSchema.parse(stored.meeting);
    const lines = reader.transcriptLineCount(id);
    const start = m.recording_start_time ? Date.parse(m.recording_start_time) : NaN;
    const end = m.recording_end_time ? Date.parse(m.recording_end_time) : NaN;
    const duration = end - start >= 0 ? (end - start) / 1000 : null;
    const structured: z.output<typeof meetingSchema> = {
      recording_id: m.recording_id,
      title: m.title ?? m.meeting_title,
      created_at: m.created_at,
      duration_seconds: duration,
      url: m.url,
      share_url: m.share_url,
      recorded_by: m.recorded_by ? { name: m.recorded_by.name, email: m.recorded_by.email } : null,
      attendees: m.calendar_invitees.map((a) => ({ name: a.name, email: a.email, external: a.is_external })),
      summary_markdown: m.default_summary?.markdown_formatted ?? null,
      action_items: (m.action_items ?? []).map((a) => ({
        description: a.description,
        completed: a.completed === true,
        assignee_name: a.assignee?.name ?? null,
        assignee_email: a.assignee?.email ?? null,
        recording_timestamp: a.recording_timestamp,
        playback_url: a.recording_playback_url,
      })),
      talk_time: stored.talk_time,
      transcript_lines: lines,
    };
    const text = `${renderMeetingMarkdown(m, stored.talk_time, { frontMatter: false, transcript: false })}\n_recording_id ${id} · transcript: ${plural(lines, 'line')}${lines ? ' (get_transcript)' : ''}_\n`;
    return { text, structured };
  },
});
