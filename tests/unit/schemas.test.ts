import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeetingSchema, validateMeetingPage } from '../../src/api/schemas.js';
import { meetingPayload } from '../helpers/meetings.js';

describe('Meeting schema', () => {
  it('accepts a full spec-shaped meeting and keeps unknown fields', () => {
    const parsed = MeetingSchema.parse({ ...meetingPayload(1), brand_new_field: 42 });
    expect(parsed.recording_id).toBe(1);
    expect(parsed.transcript?.[1]?.speaker.matched_calendar_invitee_email).toBeNull();
    expect((parsed as Record<string, unknown>).brand_new_field).toBe(42);
  });

  it('tolerates nulls and missing optional parts', () => {
    const parsed = MeetingSchema.parse(
      meetingPayload(2, { title: null, recorded_by: null, calendar_invitees: null, transcript: null, default_summary: null, action_items: null, highlights: null }),
    );
    expect(parsed.calendar_invitees).toEqual([]);
    expect(parsed.transcript).toBeNull();
  });

  it('parses the older docs example shape (no recording_id: reported as invalid, not a crash)', () => {
    const doc = JSON.parse(fs.readFileSync(new URL('../fixtures/meetings-list.docs-example.json', import.meta.url), 'utf8'));
    const page = validateMeetingPage(doc);
    expect(page.meetings).toHaveLength(0);
    expect(page.skipped).toEqual([{ recordingId: null, reason: expect.stringContaining('recording_id') }]);
    expect(page.nextCursor).toBe('eyJwYWdlX251bSI6Mn0=');
  });
});

describe('recording_id', () => {
  it('is any integer the spec allows: zero, negative, and the extremes JavaScript holds exactly', () => {
    for (const id of [0, -1, -5, 123456789, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]) {
      expect(MeetingSchema.parse(meetingPayload(id)).recording_id, String(id)).toBe(id);
    }
  });

  it('refuses what cannot be a key: not an integer, or too large to have survived JSON.parse exactly', () => {
    const page = validateMeetingPage({
      limit: null,
      next_cursor: null,
      items: [meetingPayload(2 ** 53), meetingPayload(-(2 ** 53)), meetingPayload(1.5), meetingPayload(-7)],
    });
    expect(page.meetings.map((m) => m.meeting.recording_id)).toEqual([-7]);
    // An unsafe id is not reported as an id: it is already a different number.
    expect(page.skipped).toEqual([
      { recordingId: null, reason: expect.stringContaining('recording_id') },
      { recordingId: null, reason: expect.stringContaining('recording_id') },
      { recordingId: null, reason: expect.stringContaining('recording_id') },
    ]);
  });
});

describe('validateMeetingPage', () => {
  it('keeps the good items of a page and reports the bad ones with id and reason', () => {
    const page = validateMeetingPage({
      limit: 10,
      next_cursor: null,
      items: [meetingPayload(1), meetingPayload(2, { created_at: 'not a date' }), { recording_id: 'x' }, meetingPayload(3)],
    });
    expect(page.meetings.map((m) => m.meeting.recording_id)).toEqual([1, 3]);
    expect(page.skipped).toEqual([
      { recordingId: 2, reason: expect.stringContaining('created_at') },
      { recordingId: null, reason: expect.stringContaining('recording_id') },
    ]);
  });

  it('rejects a body that is not a list envelope', () => {
    expect(() => validateMeetingPage({ error: 'nope' })).toThrow();
  });
});
