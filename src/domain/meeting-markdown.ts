import { safeLine, safeText } from '../core/safe-text.js';
import type { TalkTime } from './talk-time.js';
import { playbackUrl } from './playback.js';
import { hmsToSeconds as hms } from './time.js';
import { formatClock } from './recording-time.js';
import type { MeetingDocument } from './meeting-document.js';

export { playbackUrl };

/**
 * A meeting as one Markdown file for a notes folder (Obsidian, a wiki): YAML front matter that
 * Obsidian's properties and Dataview read, then the summary, the action items as a task list, talk
 * time, and the transcript with a link to each moment of the recording. Pure: the same meeting
 * always gives the same bytes, so an unchanged meeting is never rewritten.
 *
 * Everything but Fathom's own summary Markdown is other people's text: it is written as literal
 * text (Markdown and HTML characters escaped, control characters neutralised), so a title or a
 * transcript line cannot add links, HTML or front matter of its own.
 */

export type { MeetingDocument };

/** Literal text in Markdown: no character of it is read as Markdown or HTML. */
export function mdText(text: string | null | undefined): string {
  return safeLine(text ?? '').replace(/([\\`*_[\]<>#|!~])/g, '\\$1');
}

/** A YAML scalar: JSON's string syntax is valid YAML double-quoted style. */
const yamlString = (value: string): string => JSON.stringify(safeLine(value));

function yamlValue(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return yamlString(value);
  return String(value);
}

/** Only http(s) links are written as links: a `javascript:` URL from the network is never clickable. */
function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString().replace(/[()\s]/g, encodeURIComponent) : null;
  } catch {
    return null;
  }
}

function durationSeconds(m: MeetingDocument): number | null {
  if (!m.recording_start_time || !m.recording_end_time) return null;
  const d = (Date.parse(m.recording_end_time) - Date.parse(m.recording_start_time)) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function frontMatter(m: MeetingDocument, talk: TalkTime | null): string {
  const lines: string[] = ['---'];
  const put = (key: string, value: string | number | boolean | null) => lines.push(`${key}: ${yamlValue(value)}`);
  put('recording_id', m.recording_id);
  put('title', m.title ?? m.meeting_title ?? '');
  put('date', m.created_at.slice(0, 10));
  put('created_at', m.created_at);
  const duration = durationSeconds(m);
  put('duration_minutes', duration === null ? null : Math.round(duration / 60));
  put('url', safeUrl(m.url));
  put('share_url', safeUrl(m.share_url));
  put('recorder', m.recorded_by?.name ?? null);
  put('recorder_email', m.recorded_by?.email ?? null);
  if (m.calendar_invitees.length === 0) lines.push('attendees: []');
  else {
    lines.push('attendees:');
    for (const a of m.calendar_invitees) {
      lines.push(`  - name: ${yamlValue(a.name)}`, `    email: ${yamlValue(a.email)}`, `    external: ${yamlValue(a.is_external)}`);
    }
  }
  const domains = [...new Set(m.calendar_invitees.filter((a) => a.is_external).map((a) => (a.email_domain ?? a.email?.split('@')[1] ?? '').toLowerCase()).filter(Boolean))].sort();
  lines.push(`external_domains: [${domains.map(yamlString).join(', ')}]`);
  put('internal_talk_share', talk ? round2(talk.internal_share) : null);
  put('external_talk_share', talk ? round2(talk.external_share) : null);
  lines.push(`tags: [${['fathom', ...(domains.length ? ['external'] : ['internal'])].map(yamlString).join(', ')}]`);
  lines.push('---');
  return `${lines.join('\n')}\n`;
}

/** A turn: consecutive lines of one speaker, starting at the first line's timestamp. */
function transcriptTurns(lines: NonNullable<MeetingDocument['transcript']>): { speaker: string; seconds: number | null; texts: string[] }[] {
  const turns: { speaker: string; seconds: number | null; texts: string[] }[] = [];
  for (const line of lines) {
    const speaker = line.speaker.display_name ?? 'Unknown speaker';
    const last = turns.at(-1);
    if (last && last.speaker === speaker) last.texts.push(line.text);
    else turns.push({ speaker, seconds: hms(line.timestamp), texts: [line.text] });
  }
  return turns;
}

/** What a rendering leaves out: the front matter (for a reader, not a notes folder), the transcript (asked for separately). */
export interface MarkdownParts {
  frontMatter?: boolean;
  transcript?: boolean;
}

export function renderMeetingMarkdown(m: MeetingDocument, talk: TalkTime | null, parts: MarkdownParts = {}): string {
  const out: string[] = parts.frontMatter === false ? [] : [frontMatter(m, talk)];
  const title = m.title ?? m.meeting_title ?? 'Untitled meeting';
  out.push(`# ${mdText(title)}`, '');
  const when = `${m.created_at.slice(0, 16).replace('T', ' ')} UTC`;
  const duration = durationSeconds(m);
  const facts = [when, duration === null ? null : `${Math.round(duration / 60)} min`, m.recorded_by?.name ? `recorded by ${mdText(m.recorded_by.name)}` : null].filter(Boolean);
  const link = safeUrl(m.share_url) ?? safeUrl(m.url);
  out.push(`${link ? `[Open in Fathom](${link}) · ` : ''}${facts.join(' · ')}`, '');

  if (m.calendar_invitees.length) {
    out.push('## Attendees', '');
    for (const a of m.calendar_invitees) {
      const who = [a.name ? mdText(a.name) : null, a.email ? `\\<${mdText(a.email)}\\>` : null].filter(Boolean).join(' ');
      out.push(`- ${who || 'unknown'}${a.is_external === true ? ' (external)' : a.is_external === false ? ' (internal)' : ''}`);
    }
    out.push('');
  }

  const summary = m.default_summary?.markdown_formatted;
  // Fathom's summary is Markdown with headings of its own: one level down, they sit under "Summary".
  out.push('## Summary', '', summary ? safeText(summary).trim().replace(/^(#{1,5}) /gm, '#$1 ') : '_No summary yet._', '');

  out.push('## Action items', '');
  const actions = m.action_items ?? [];
  if (actions.length === 0) out.push('_None._');
  for (const a of actions) {
    const who = a.assignee?.name ?? a.assignee?.email;
    const at = safeUrl(a.recording_playback_url);
    out.push(`- [${a.completed ? 'x' : ' '}] ${mdText(a.description)}${who ? ` (@${mdText(who)})` : ''}${at && a.recording_timestamp ? ` [${mdText(a.recording_timestamp)}](${at})` : ''}`);
  }
  out.push('');

  if (talk) {
    out.push('## Talk time', '', '| Speaker | Minutes | Share | Side |', '| --- | ---: | ---: | --- |');
    for (const s of talk.speakers) {
      out.push(`| ${mdText(s.name)} | ${(s.seconds / 60).toFixed(1)} | ${Math.round(s.share * 100)}% | ${s.external === true ? 'external' : s.external === false ? 'internal' : 'unknown'} |`);
    }
    out.push('');
  }

  if (parts.transcript !== false) {
    out.push('## Transcript', '');
    const turns = transcriptTurns(m.transcript ?? []);
    if (turns.length === 0) out.push('_No transcript yet._');
    for (const turn of turns) {
      const at = turn.seconds === null ? '' : ` [${formatClock(turn.seconds)}](${playbackUrl(link, turn.seconds) ?? ''})`.replace(/\]\(\)$/, ']');
      out.push(`**${mdText(turn.speaker)}**${at}: ${turn.texts.map(mdText).join(' ')}`, '');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
