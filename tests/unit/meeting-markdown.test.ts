import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mdText, playbackUrl, renderMeetingMarkdown, type MeetingDocument } from '../../src/domain/meeting-markdown.js';
import { computeTalkTime } from '../../src/domain/talk-time.js';

const golden = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'export', name);

/** Golden files are the reviewed truth; UPDATE_GOLDEN=1 rewrites them after a deliberate change. */
function expectGolden(name: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(golden(name), actual);
  expect(actual).toBe(fs.readFileSync(golden(name), 'utf8'));
}

const meeting: MeetingDocument = {
  recording_id: 123456,
  created_at: '2026-03-04T15:00:00.000Z',
  title: 'Acme renewal: pricing & [next steps]',
  meeting_title: 'Acme / Us',
  url: 'https://fathom.video/calls/998877',
  share_url: 'https://fathom.video/share/abcDEF',
  recording_start_time: '2026-03-04T15:01:00Z',
  recording_end_time: '2026-03-04T15:31:30Z',
  recorded_by: { name: 'Ann Rep', email: 'ann@us.com' },
  calendar_invitees: [
    { name: 'Ann Rep', email: 'ann@us.com', email_domain: 'us.com', is_external: false },
    { name: 'Carl <b>Customer</b>', email: 'carl@acme.com', email_domain: 'acme.com', is_external: true },
  ],
  default_summary: { markdown_formatted: '## Key points\n\n- Pricing is **the** topic\n- Renewal in Q3' },
  action_items: [
    { description: 'Send the quote', completed: false, recording_timestamp: '00:10:05', recording_playback_url: 'https://fathom.video/share/abcDEF?timestamp=605', assignee: { name: 'Ann Rep', email: 'ann@us.com' } },
    { description: 'Review *terms*', completed: true, recording_timestamp: null, recording_playback_url: null, assignee: null },
  ],
  transcript: [
    { speaker: { display_name: 'Ann Rep' }, text: 'Welcome, shall we start?', timestamp: '00:00:05' },
    { speaker: { display_name: 'Ann Rep' }, text: 'First, the agenda.', timestamp: '00:00:20' },
    { speaker: { display_name: 'Carl <b>Customer</b>' }, text: 'What about [pricing](javascript:alert(1))?\u001b[2J', timestamp: '00:01:00' },
  ],
};

describe('a meeting as Markdown', () => {
  it('matches the reviewed golden file: front matter, summary, tasks, talk time, transcript turns with links', () => {
    const talk = computeTalkTime(
      (meeting.transcript ?? []).map((l) => ({ speakerName: l.speaker.display_name ?? '', speakerEmail: null, text: l.text, startSeconds: Number(l.timestamp!.split(':')[2]) + 60 * Number(l.timestamp!.split(':')[1]) })),
      { attendees: meeting.calendar_invitees.map((a) => ({ name: a.name, email: a.email, isExternal: a.is_external, matchedSpeakerDisplayName: null })), recorder: meeting.recorded_by },
    );
    expectGolden('acme-renewal.md', renderMeetingMarkdown(meeting, talk));
  });

  it('a meeting with nothing yet still renders, and the same input gives the same bytes', () => {
    const bare: MeetingDocument = { ...meeting, title: null, calendar_invitees: [], default_summary: null, action_items: null, transcript: null, share_url: null, url: null, recorded_by: null };
    expectGolden('bare.md', renderMeetingMarkdown(bare, null));
    expect(renderMeetingMarkdown(meeting, null)).toBe(renderMeetingMarkdown(meeting, null));
  });

  it('other people\'s text cannot become Markdown, HTML or terminal escapes', () => {
    expect(mdText('[x](javascript:alert(1)) <img src=x> # h')).toBe('\\[x\\](javascript:alert(1)) \\<img src=x\\> \\# h');
    expect(mdText('a\u001b[31mb')).toBe('a␛\\[31mb');
    expect(playbackUrl('https://fathom.video/share/x?a=1', 65.7)).toBe('https://fathom.video/share/x?a=1&timestamp=65');
  });
});
