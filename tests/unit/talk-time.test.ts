import { describe, expect, it } from 'vitest';
import { computeTalkTime, countQuestions, lineDurations, type TalkAttendee, type TalkLine } from '../../src/domain/talk-time.js';

const line = (speakerName: string, startSeconds: number | null, text: string, speakerEmail: string | null = null): TalkLine => ({ speakerName, speakerEmail, text, startSeconds });

const attendees: TalkAttendee[] = [
  { name: 'Ann Rep', email: 'ann@us.com', isExternal: false, matchedSpeakerDisplayName: 'Ann' },
  { name: 'Carl Customer', email: 'carl@them.com', isExternal: true, matchedSpeakerDisplayName: null },
];

describe('talk time', () => {
  it('a line lasts until the next one; the last one lasts 0.4 s a word', () => {
    expect(lineDurations([line('A', 0, 'hi'), line('B', 10, 'one two three'), line('A', 25, 'one two three four five')])).toEqual([10, 15, 2]);
    // Timestamps that go backwards never make a negative duration.
    expect(lineDurations([line('A', 30, 'x'), line('B', 20, 'y')])).toEqual([0, 0.4]);
  });

  it('a run of question marks counts once', () => {
    expect(countQuestions('Really?? And then? What?!')).toBe(3);
    expect(countQuestions('no question')).toBe(0);
  });

  it('works out a meeting by hand', () => {
    // Ann 0-30 (30 s), Ann 30-40 (10 s), Carl 40-100 (60 s), Dana 100-110 (10 s), Ann 110 + 5 words (2 s)
    const lines = [
      line('Ann', 0, 'Welcome! Shall we start?', 'ann@us.com'),
      line('Ann', 30, 'First the agenda.'),
      line('Carl Customer', 40, 'What about pricing?? And the renewal?'),
      line('Dana', 100, 'I can take that.'),
      line('Ann', 110, 'Great, thanks everyone for today.'),
    ];
    const t = computeTalkTime(lines, { attendees, recorder: { name: 'Ann Rep', email: 'ann@us.com' } })!;
    expect(t.total_seconds).toBe(112);
    expect(t.speakers.map((s) => [s.name, s.email, s.external, s.seconds, s.longest_monologue_seconds, s.questions])).toEqual([
      ['Carl Customer', 'carl@them.com', true, 60, 60, 2],
      ['Ann', 'ann@us.com', false, 42, 40, 1],
      ['Dana', null, null, 10, 10, 0],
    ]);
    expect(t.speakers[0]!.share).toBeCloseTo(60 / 112, 6);
    expect(t.internal_share).toBeCloseTo(42 / 112, 6);
    expect(t.external_share).toBeCloseTo(60 / 112, 6);
    expect(t.unknown_share).toBeCloseTo(10 / 112, 6);
    // Switches: Ann->Carl, Carl->Dana, Dana->Ann = 3 over 112/60 minutes.
    expect(t.switches_per_minute).toBeCloseTo(3 / (112 / 60), 6);
  });

  it('matches by email first, then display name against matched_speaker_display_name, then name', () => {
    const t = computeTalkTime([line('Someone', 0, 'a b', 'CARL@them.com'), line('ann', 2, 'c d'), line('carl customer', 4, 'e')], { attendees, recorder: null })!;
    const by = Object.fromEntries(t.speakers.map((s) => [s.name, s]));
    expect(by.Someone).toMatchObject({ external: true, email: 'CARL@them.com' });
    expect(by.ann).toMatchObject({ external: false, email: 'ann@us.com' });
    expect(by['carl customer']).toMatchObject({ external: true, email: 'carl@them.com' });
  });

  it('the recorder and known team members are internal when no attendee says otherwise', () => {
    const t = computeTalkTime([line('Rita', 0, 'a'), line('Tom', 1, 'b'), line('Zed', 2, 'c')], {
      attendees: [],
      recorder: { name: 'Rita', email: 'rita@us.com' },
      teamMembers: [{ name: 'Tom', email: 'tom@us.com' }],
    })!;
    expect(t.speakers.map((s) => [s.name, s.external])).toEqual([
      ['Rita', false],
      ['Tom', false],
      ['Zed', null],
    ]);
  });

  it('no transcript, no talk time; one silent line is zero-safe', () => {
    expect(computeTalkTime([], { attendees, recorder: null })).toBeNull();
    expect(computeTalkTime([line('A', 0, '')], { attendees, recorder: null })).toMatchObject({ total_seconds: 0, switches_per_minute: 0, internal_share: 0 });
  });
});
