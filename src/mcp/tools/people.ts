import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { isEmail } from '../../domain/meeting-filter.js';
import { talkTimeTotals, type TalkTimeTotals } from '../../db/read/stats.js';
import type { Person, TaskItem } from '../../db/read/reader.js';
import type { TalkTime } from '../../domain/talk-time.js';
import { meetingFilterOf, resolveMeeting } from '../arguments.js';
import { link, mdText, percent, plural, side, table, when } from '../markdown.js';
import { limitArg, personSchema, recordingIdArg, sinceArg, talkTimeSchema, talkTimeTotalsSchema, taskSchema, untilArg, withArg } from '../schemas.js';
import { defineTool } from '../tool-kit.js';

/** Who and what: list_action_items, get_talk_time, list_people. */

export const listActionItemsTool = defineTool({
  name: 'list_action_items',
  title: 'List action items',
  description: 'Action items from the meetings, newest meeting first: open ones by default, or done, or all; optionally for one assignee or within dates. Each links to its moment in the recording.',
  input: z.object({
    assignee: z.string().optional().describe("only items assigned to this person's email address (list_people finds it)"),
    status: z.enum(['open', 'done', 'all']).optional().describe('open (default), done or all'),
    since: sinceArg,
    until: untilArg,
    with: withArg,
    limit: limitArg(50, 500),
  }),
  output: z.object({ action_items: z.array(taskSchema) }),
  run(args, reader) {
    const assignee = args.assignee?.trim();
    if (assignee !== undefined && !isEmail(assignee)) throw new UsageError(`assignee ${JSON.stringify(assignee)} is not an email address: find the person's email with list_people`);
    const status = args.status ?? 'open';
    const tasks = reader.tasks({ ...meetingFilterOf(args), status, ...(assignee ? { assignee } : {}) }, args.limit ?? 50);
    return { text: tasksMarkdown(tasks, status), structured: { action_items: tasks } };
  },
});

function tasksMarkdown(tasks: TaskItem[], status: string): string {
  if (tasks.length === 0) return `No ${status === 'all' ? '' : `${status} `}action items match.`;
  return `${plural(tasks.length, `${status === 'all' ? '' : `${status} `}action item`)}, newest meeting first:\n\n${tasks
    .map((t) => {
      const who = t.assignee_name ?? t.assignee_email;
      const at = t.recording_timestamp ? link(mdText(t.recording_timestamp), t.link) || mdText(t.recording_timestamp) : link('open', t.link);
      return `- [${t.completed ? 'x' : ' '}] ${mdText(t.description ?? '')}${who ? ` (@${mdText(who)})` : ''} · ${mdText(t.meeting_title ?? '(untitled)')}, ${when(t.meeting_created_at)}${at ? ` · ${at}` : ''} · recording_id ${t.recording_id}`;
    })
    .join('\n')}`;
}

/** Speakers listed in a date range's totals: the longest talkers. */
const TOP_SPEAKERS = 50;

export const getTalkTimeTool = defineTool({
  name: 'get_talk_time',
  title: 'Get talk time',
  description:
    'Who talked how much. With recording_id: one meeting (each speaker\'s time and share, internal or external, longest monologue, questions). ' +
    `Without it: totals over the meetings in since/until (all meetings if neither): total time, internal/external share, and the ${TOP_SPEAKERS} longest talkers summed across meetings.`,
  input: z.object({ recording_id: recordingIdArg.optional(), since: sinceArg, until: untilArg, with: withArg }),
  output: z.object({
    recording_id: z.number().int().nullable().describe('the meeting asked about, or null for totals'),
    talk_time: talkTimeSchema.nullable().describe('one meeting (null when it has no transcript, or for totals)'),
    totals: talkTimeTotalsSchema.nullable().describe('over a date range (null for one meeting)'),
  }),
  run(args, reader) {
    if (args.recording_id !== undefined) {
      if (args.since !== undefined || args.until !== undefined || args.with !== undefined) {
        throw new UsageError('give either recording_id (one meeting) or since/until/with (totals over meetings), not both');
      }
      const id = resolveMeeting(reader, args.recording_id);
      const talk = reader.talkTime(id);
      return { text: meetingTalkMarkdown(id, talk), structured: { recording_id: id, talk_time: talk, totals: null } };
    }
    const totals = talkTimeTotals(reader.db, meetingFilterOf(args), TOP_SPEAKERS);
    return { text: totalsMarkdown(totals, args), structured: { recording_id: null, talk_time: null, totals } };
  },
});

const mins = (seconds: number) => (seconds / 60).toFixed(1);

function meetingTalkMarkdown(id: number, talk: TalkTime | null): string {
  if (!talk) return `Meeting ${id} has no transcript yet, so no talk time.`;
  return [
    `Talk time of meeting ${id}: ${mins(talk.total_seconds)} min · internal ${percent(talk.internal_share)}, external ${percent(talk.external_share)}, unknown ${percent(talk.unknown_share)} · ${talk.switches_per_minute.toFixed(1)} speaker changes a minute`,
    '',
    table(
      ['speaker', 'minutes', 'share', 'side', 'longest monologue (min)', 'questions'],
      talk.speakers.map((s) => [mdText(s.name), mins(s.seconds), percent(s.share), side(s.external), mins(s.longest_monologue_seconds), s.questions]),
    ),
  ].join('\n');
}

function totalsMarkdown(t: TalkTimeTotals, range: { since?: string | undefined; until?: string | undefined }): string {
  const over = [range.since ? `since ${mdText(range.since)}` : null, range.until ? `until ${mdText(range.until)}` : null].filter(Boolean).join(' ') || 'over all meetings';
  if (t.meetings === 0) return `No meetings with a transcript ${over}.`;
  return [
    `Talk time ${over}: ${plural(t.meetings, 'meeting')}, ${(t.total_seconds / 3600).toFixed(1)} hours · internal ${percent(t.internal_share)}, external ${percent(t.external_share)}, unknown ${percent(t.unknown_share)}`,
    '',
    table(
      ['speaker', 'email', 'side', 'meetings', 'minutes', 'share', 'questions'],
      t.speakers.map((s) => [mdText(s.name), s.email ? mdText(s.email) : '-', side(s.external), s.meetings, mins(s.seconds), percent(s.share), s.questions]),
    ),
  ].join('\n');
}

export const listPeopleTool = defineTool({
  name: 'list_people',
  title: 'List people',
  description: 'Everyone met in the synced meetings, most meetings first: email, name, company domain, internal or external, meetings, minutes together, first and last meeting.',
  input: z.object({
    external: z.boolean().optional().describe('true: only people from outside your organisation; false: only colleagues'),
    domain: z.string().optional().describe('only people of this company domain, e.g. acme.com'),
    limit: limitArg(50, 1000),
  }),
  output: z.object({ people: z.array(personSchema) }),
  run(args, reader) {
    const domain = args.domain?.trim();
    const people = reader.people({ ...(args.external !== undefined ? { external: args.external } : {}), ...(domain ? { domain } : {}), sort: 'meetings', limit: args.limit ?? 50 });
    return { text: peopleMarkdown(people), structured: { people } };
  },
});

function peopleMarkdown(people: Person[]): string {
  if (people.length === 0) return 'Nobody matches.';
  return `${plural(people.length, 'person', 'people')}, most meetings first:\n\n${table(
    ['name', 'email', 'company', 'side', 'meetings', 'minutes', 'first', 'last'],
    people.map((p) => [mdText(p.name ?? '-'), mdText(p.email), mdText(p.domain ?? '-'), side(p.external), p.meetings, p.minutes_together, p.first_met.slice(0, 10), p.last_met.slice(0, 10)]),
  )}`;
}
