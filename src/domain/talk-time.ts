/**
 * Talk time: who spoke how long in a meeting, by definitions fixed so that every figure can be
 * reproduced by hand from the transcript (README, "Talk time"):
 * - a transcript line lasts from its timestamp to the next line's timestamp (never less than 0);
 *   the last line lasts its word count x 0.4 s (150 words a minute);
 * - a speaker is one display_name; their talk time is the sum of their lines, their share that
 *   over the meeting's total;
 * - a speaker is matched to an attendee by matched_calendar_invitee_email, else by display name
 *   (case-insensitive) against an attendee's matched_speaker_display_name or name; external is the
 *   matched attendee's is_external; the recorder and known team members are internal; anyone else
 *   is unknown;
 * - longest monologue: the longest run of consecutive lines by one speaker (seconds); questions:
 *   the number of `?` in their lines (a run of `?` counts once); switches per minute: changes of
 *   speaker between consecutive lines, per minute of the meeting's total.
 */

export const SECONDS_PER_WORD = 0.4;

export interface TalkLine {
  speakerName: string;
  /** matched_calendar_invitee_email of the line's speaker, when Fathom matched one. */
  speakerEmail: string | null;
  text: string;
  /** The line's timestamp in seconds from the start of the recording; null when Fathom sent none. */
  startSeconds: number | null;
}

export interface TalkAttendee {
  name: string | null;
  email: string | null;
  isExternal: boolean | null;
  matchedSpeakerDisplayName: string | null;
}

export interface TalkPerson {
  name: string | null;
  email: string | null;
}

export interface SpeakerTalkTime {
  name: string;
  email: string | null;
  /** true external, false internal, null unknown. */
  external: boolean | null;
  seconds: number;
  share: number;
  longest_monologue_seconds: number;
  questions: number;
}

export interface TalkTime {
  total_seconds: number;
  internal_share: number;
  external_share: number;
  unknown_share: number;
  switches_per_minute: number;
  /** In order of talk time, longest first; ties by name. */
  speakers: SpeakerTalkTime[];
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function countQuestions(text: string): number {
  return (text.match(/\?+/g) ?? []).length;
}

/** Each line's duration by the definition above. */
export function lineDurations(lines: readonly TalkLine[]): number[] {
  return lines.map((line, i) => {
    const next = lines[i + 1];
    if (next === undefined) return wordCount(line.text) * SECONDS_PER_WORD;
    if (line.startSeconds === null || next.startSeconds === null) return 0;
    return Math.max(0, next.startSeconds - line.startSeconds);
  });
}

const lower = (s: string | null | undefined): string | null => (s ? s.trim().toLowerCase() : null);

/** Whether a speaker is external (true), internal (false) or unknown (null), and the email that goes with them. */
export function classifySpeaker(
  name: string,
  emails: readonly string[],
  context: { attendees: readonly TalkAttendee[]; recorder: TalkPerson | null; teamMembers: readonly TalkPerson[] },
): { external: boolean | null; email: string | null } {
  const wanted = new Set(emails.map((e) => e.toLowerCase()));
  const byEmail = context.attendees.find((a) => a.email && wanted.has(a.email.toLowerCase()));
  const key = lower(name);
  const attendee =
    byEmail ??
    context.attendees.find((a) => lower(a.matchedSpeakerDisplayName) === key) ??
    context.attendees.find((a) => lower(a.name) === key);
  const email = emails[0] ?? attendee?.email ?? null;
  if (attendee && attendee.isExternal !== null) return { external: attendee.isExternal, email };
  const emailKey = lower(email);
  const isPerson = (p: TalkPerson | null) => Boolean(p && ((emailKey && lower(p.email) === emailKey) || (key && lower(p.name) === key)));
  if (isPerson(context.recorder) || context.teamMembers.some(isPerson)) return { external: false, email };
  return { external: null, email };
}

const round = (n: number, digits = 6): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** null when the meeting has no transcript lines. */
export function computeTalkTime(
  lines: readonly TalkLine[],
  context: { attendees: readonly TalkAttendee[]; recorder: TalkPerson | null; teamMembers?: readonly TalkPerson[] },
): TalkTime | null {
  if (lines.length === 0) return null;
  const durations = lineDurations(lines);
  const bySpeaker = new Map<string, { seconds: number; longest: number; questions: number; emails: string[] }>();
  let switches = 0;
  let run = 0;
  lines.forEach((line, i) => {
    const entry = bySpeaker.get(line.speakerName) ?? { seconds: 0, longest: 0, questions: 0, emails: [] };
    bySpeaker.set(line.speakerName, entry);
    entry.seconds += durations[i]!;
    entry.questions += countQuestions(line.text);
    if (line.speakerEmail && !entry.emails.includes(line.speakerEmail)) entry.emails.push(line.speakerEmail);
    const continues = i > 0 && lines[i - 1]!.speakerName === line.speakerName;
    if (i > 0 && !continues) switches += 1;
    run = continues ? run + durations[i]! : durations[i]!;
    entry.longest = Math.max(entry.longest, run);
  });
  const total = durations.reduce((a, b) => a + b, 0);
  const share = (seconds: number) => (total > 0 ? seconds / total : 0);
  const teamMembers = context.teamMembers ?? [];
  const speakers: SpeakerTalkTime[] = [...bySpeaker.entries()].map(([name, e]) => {
    const { external, email } = classifySpeaker(name, e.emails, { attendees: context.attendees, recorder: context.recorder, teamMembers });
    return { name, email, external, seconds: round(e.seconds, 3), share: round(share(e.seconds)), longest_monologue_seconds: round(e.longest, 3), questions: e.questions };
  });
  speakers.sort((a, b) => b.seconds - a.seconds || a.name.localeCompare(b.name));
  const shareOf = (external: boolean | null) => round(share(speakers.filter((s) => s.external === external).reduce((n, s) => n + bySpeaker.get(s.name)!.seconds, 0)));
  return {
    total_seconds: round(total, 3),
    internal_share: shareOf(false),
    external_share: shareOf(true),
    unknown_share: shareOf(null),
    switches_per_minute: total > 0 ? round(switches / (total / 60)) : 0,
    speakers,
  };
}
