import type { AppContext } from '../core/context.js';
import { openReaderFor } from './read-scope.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { safeLine } from '../core/safe-text.js';
import { MeetingSchema, type Meeting } from '../api/schemas.js';
import type { TalkTime } from '../domain/talk-time.js';
import { markdownForTerminal } from './render/terminal-markdown.js';
import { renderTable } from './render/table.js';

export interface ShowFlags {
  transcript?: boolean;
  json?: boolean;
}

/** `fathom-sync show ID|LINK`: one meeting, read from the database. */
export async function showCommand(ref: string, flags: ShowFlags, ctx: AppContext): Promise<number> {
  const reader = await openReaderFor(ctx);
  try {
    const id = reader.resolveMeetingRef(ref);
    if (id === null) throw unknownMeeting(ref);
    const stored = reader.getMeeting(id)!;
    if (ctx.output.jsonMode) {
      ctx.output.json({ ...stored.meeting, talk_time: stored.talk_time });
      return ExitCode.ok;
    }
    const meeting = MeetingSchema.parse(stored.meeting);
    ctx.output.result(formatMeeting(meeting, stored.talk_time, { transcript: flags.transcript ?? false, color: ctx.output.stdoutColor }));
    return ExitCode.ok;
  } finally {
    reader.close();
  }
}

export function unknownMeeting(ref: string): UsageError {
  return new UsageError(`no meeting ${safeLine(ref).slice(0, 200)} in the database (give a recording id or a Fathom link)`, {
    text: 'Find it with:',
    commands: ['fathom-sync list', 'fathom-sync search "<words from it>"'],
  });
}

const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;
const side = (external: boolean | null) => (external === true ? 'external' : external === false ? 'internal' : 'unknown');

export function formatMeeting(m: Meeting, talk: TalkTime | null, options: { transcript: boolean; color: boolean }): string {
  const bold = (s: string) => (options.color ? `\u001b[1m${s}\u001b[22m` : s);
  const out: string[] = [bold(safeLine(m.title ?? m.meeting_title ?? '(untitled)'))];
  const duration = m.recording_start_time && m.recording_end_time ? (Date.parse(m.recording_end_time) - Date.parse(m.recording_start_time)) / 1000 : null;
  const recorder = m.recorded_by ? `recorded by ${safeLine(m.recorded_by.name ?? m.recorded_by.email ?? '?')}${m.recorded_by.email && m.recorded_by.name ? ` <${safeLine(m.recorded_by.email)}>` : ''}` : null;
  out.push([`${new Date(Date.parse(m.created_at)).toISOString().slice(0, 16).replace('T', ' ')} UTC`, duration !== null && duration >= 0 ? `${Math.round(duration / 60)} min` : null, recorder, `id ${m.recording_id}`].filter(Boolean).join(' · '));
  const link = m.share_url ?? m.url;
  if (link) out.push(safeLine(link));

  if (m.calendar_invitees.length) {
    out.push('', bold('Attendees'));
    out.push(indent(renderTable([{ header: 'NAME', max: 40 }, { header: 'EMAIL', max: 40 }, { header: 'SIDE' }], m.calendar_invitees.map((a) => [a.name ?? '-', a.email ?? '-', side(a.is_external)])).split('\n').slice(1).join('\n')));
  }
  out.push('', bold('Summary'));
  out.push(indent(m.default_summary?.markdown_formatted ? markdownForTerminal(m.default_summary.markdown_formatted, { color: options.color }) : 'No summary yet.'));

  const actions = m.action_items ?? [];
  out.push('', bold(`Action items (${actions.filter((a) => !a.completed).length} open of ${actions.length})`));
  if (actions.length === 0) out.push('  none');
  for (const a of actions) {
    const who = a.assignee?.name ?? a.assignee?.email;
    out.push(`  [${a.completed ? 'x' : ' '}] ${safeLine(a.description ?? '')}${who ? ` — ${safeLine(who)}` : ''}${a.recording_timestamp ? ` (${safeLine(a.recording_timestamp)})` : ''}`);
  }

  out.push('', bold(talk ? `Talk time (${minutes(talk.total_seconds)})` : 'Talk time'));
  if (!talk) out.push('  no transcript yet');
  else {
    out.push(
      indent(
        renderTable(
          [{ header: 'SPEAKER', max: 32 }, { header: 'SHARE', align: 'right' }, { header: 'TIME', align: 'right' }, { header: 'SIDE' }, { header: 'LONGEST', align: 'right' }, { header: 'QUESTIONS', align: 'right' }],
          talk.speakers.map((s) => [s.name, `${Math.round(s.share * 100)}%`, minutes(s.seconds), side(s.external), minutes(s.longest_monologue_seconds), s.questions]),
        ),
      ),
    );
    out.push(`  internal ${Math.round(talk.internal_share * 100)}% · external ${Math.round(talk.external_share * 100)}% · unknown ${Math.round(talk.unknown_share * 100)}% · ${talk.switches_per_minute.toFixed(1)} speaker changes a minute`);
  }

  if (options.transcript) {
    out.push('', bold('Transcript'));
    const lines = m.transcript ?? [];
    if (lines.length === 0) out.push('  no transcript yet');
    for (const line of lines) out.push(`  ${line.timestamp ?? '--:--:--'}  ${safeLine(line.speaker.display_name ?? '?')}: ${safeLine(line.text)}`);
  }
  return out.join('\n');
}

const indent = (text: string) => text.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
