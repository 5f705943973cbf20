import { describe, expect, it } from 'vitest';
import type { FathomClient } from '../../src/api/client.js';
import { MeetingSchema } from '../../src/api/schemas.js';
import { withRecordingContent, type StoredContentSource } from '../../src/api/recording-content.js';
import { RecordingContentError, TemporaryError } from '../../src/core/errors.js';
import { meetingPayload } from '../helpers/meetings.js';

/** A meeting as the OAuth list sends it: no summary, no transcript. */
const listed = (id: number) => {
  const raw = meetingPayload(id, { default_summary: null, transcript: null });
  return { meeting: MeetingSchema.parse(raw), raw };
};
const summary = { template_name: 'general', markdown_formatted: '## Fetched' };
const transcript = [{ speaker: { display_name: 'Zoë Ångström', matched_calendar_invitee_email: 'zoe@client.example' }, text: 'Bonjour', timestamp: '00:00:05' }];

/** A client that answers per recording as `answers` says, and logs the calls. */
function fakeClient(answers: Record<number, { transcript?: Error }> = {}) {
  const calls: string[] = [];
  const client = {
    summary: async (id: number) => (calls.push(`summary ${id}`), summary),
    transcript: async (id: number) => {
      calls.push(`transcript ${id}`);
      const error = answers[id]?.transcript;
      if (error) throw error;
      return transcript;
    },
  } as unknown as FathomClient;
  return { client, calls };
}

const nothingStored: StoredContentSource = { storedContent: () => null };

describe('withRecordingContent', () => {
  it('fetches summary and transcript per recording and fills in the speakers Fathom matched', async () => {
    const { client, calls } = fakeClient();
    const out = await withRecordingContent([listed(1)], { client, stored: nothingStored });
    expect(calls).toEqual(['summary 1', 'transcript 1']);
    expect(out.skipped).toEqual([]);
    expect(out.meetings[0]!.meeting.default_summary).toEqual(summary);
    expect(out.meetings[0]!.meeting.transcript).toHaveLength(1);
    expect(out.meetings[0]!.meeting.calendar_invitees[0]).toMatchObject({ email: 'zoe@client.example', matched_speaker_display_name: 'Zoë Ångström' });
  });

  it('stores the content verbatim: the listed payload with the bodies Fathom sent merged in, nothing normalised', async () => {
    const sent = { markdown_formatted: '## Fetched', template_name: null, extra: 1 };
    const lines = [{ text: 'Bonjour', timestamp: '00:00:05', speaker: { display_name: 'Zoë Ångström', matched_calendar_invitee_email: 'zoe@client.example' } }];
    const client = { summary: async () => sent, transcript: async () => lines } as unknown as FathomClient;
    const out = await withRecordingContent([listed(5)], { client, stored: nothingStored });
    const raw = out.meetings[0]!.raw as Record<string, unknown>;
    expect(JSON.stringify(raw.default_summary)).toBe(JSON.stringify(sent));
    expect(JSON.stringify(raw.transcript)).toBe(JSON.stringify(lines));
    // The listed payload's keys in their order, content in place.
    expect(Object.keys(raw)).toEqual(Object.keys(listed(5).raw));
  });

  it('skips the calls for a meeting whose content is stored complete', async () => {
    const { client, calls } = fakeClient();
    const stored: StoredContentSource = { storedContent: (id, o) => (id === 2 && !o?.includeIncomplete ? { default_summary: summary, transcript } : null) };
    const out = await withRecordingContent([listed(2)], { client, stored });
    expect(calls).toEqual([]);
    expect(out.meetings[0]!.meeting.default_summary).toEqual(summary);
  });

  it('a meeting stored without its content that is not due again costs no call and keeps what is stored; one that is due is asked', async () => {
    const { client, calls } = fakeClient();
    const earlier = [{ speaker: { display_name: 'Me' }, text: 'partial', timestamp: '00:00:01' }];
    const stored: StoredContentSource = { storedContent: (_id, o) => (o?.includeIncomplete ? { default_summary: null, transcript: earlier } : null) };
    const out = await withRecordingContent([listed(6), listed(7)], { client, stored, retryDue: (id) => id === 7 });
    expect(calls).toEqual(['summary 7', 'transcript 7']);
    expect(out.meetings[0]).toMatchObject({ contentAsked: false, meeting: { default_summary: null, transcript: [{ text: 'partial' }] } });
    expect(out.meetings[1]).toMatchObject({ contentAsked: true, meeting: { default_summary: summary } });
    expect(out.skipped).toEqual([]);
  });

  it('a refused recording keeps what arrived and what was stored, and is reported instead of failing the run', async () => {
    const { client } = fakeClient({ 3: { transcript: new RecordingContentError(3, 'HTTP 403', 403) } });
    const earlier = [{ speaker: { display_name: 'Me' }, text: 'stored before', timestamp: '00:00:01' }];
    const stored: StoredContentSource = { storedContent: (id, o) => (o?.includeIncomplete ? { default_summary: null, transcript: earlier } : null) };
    const out = await withRecordingContent([listed(3)], { client, stored });
    expect(out.meetings[0]!.meeting).toMatchObject({ default_summary: summary, transcript: [{ text: 'stored before' }] });
    expect(out.skipped).toEqual([{ recordingId: 3, reason: expect.stringMatching(/not \(re\)fetched.*HTTP 403/) }]);
  });

  it('anything else is the run\'s problem', async () => {
    const { client } = fakeClient({ 4: { transcript: new TemporaryError('giving up after 5 retries: HTTP 503') } });
    await expect(withRecordingContent([listed(4)], { client, stored: nothingStored })).rejects.toBeInstanceOf(TemporaryError);
  });
});
