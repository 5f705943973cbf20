import type { Db } from '../db.js';
import { meetingCondition, type MeetingFilter, type SqlCondition } from './filters.js';

/**
 * The numbers of `fathom-sync stats`: meetings and hours per week, how many meetings had
 * someone external, internal vs external talk (seconds-weighted, over meetings with talk time),
 * the external companies and people met most, and the action items still open.
 */

export interface WeekStats {
  /** Monday of the ISO week, YYYY-MM-DD (UTC). */
  week_start: string;
  meetings: number;
  hours: number;
  internal_share: number | null;
  external_share: number | null;
}

export interface MeetingStats {
  meetings: number;
  hours: number;
  /** Share of meetings with at least one external attendee, 0..1 (null with no meetings). */
  external_meeting_share: number | null;
  talk: { internal_share: number | null; external_share: number | null; unknown_share: number | null };
  weeks: WeekStats[];
  top_companies: { domain: string; meetings: number; minutes: number }[];
  top_people: { email: string; name: string | null; domain: string | null; meetings: number; minutes: number }[];
  open_action_items: number;
}

const EXTERNAL_MEETING = `(EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.recording_id = m.recording_id AND a.is_external = 1)
                           OR m.calendar_invitees_domains_type = 'one_or_more_external')`;
const round = (n: number | null, digits = 4): number | null => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);
const share = (part: number, whole: number): number | null => (whole > 0 ? round(part / whole) : null);

/** Speaking seconds by internal, external and unknown speakers, per group (an SQL expression over `m`). */
function talkSplit(db: Db, where: SqlCondition, group: string): { grp: string | number; internal: number; external: number; unknown: number }[] {
  return db
    .prepare(
      `SELECT ${group} AS grp, coalesce(sum(CASE WHEN s.external = 0 THEN s.seconds END), 0) AS internal,
              coalesce(sum(CASE WHEN s.external = 1 THEN s.seconds END), 0) AS external,
              coalesce(sum(CASE WHEN s.external IS NULL THEN s.seconds END), 0) AS unknown
         FROM talk_time_speakers s JOIN meetings m ON m.recording_id = s.recording_id WHERE ${where.sql} GROUP BY grp`,
    )
    .all(...where.params) as { grp: string | number; internal: number; external: number; unknown: number }[];
}

/** One speaker's talk time summed over meetings (a speaker is one email, else one display name). */
export interface SpeakerTalkTotal {
  name: string;
  email: string | null;
  /** true external, false internal, null unknown (external if any meeting says so). */
  external: boolean | null;
  meetings: number;
  seconds: number;
  /** Of all the speaking time in these meetings, 0..1. */
  share: number | null;
  questions: number;
  longest_monologue_seconds: number;
}

/** Talk time over many meetings: what `get_talk_time` answers for a date range. */
export interface TalkTimeTotals {
  /** Meetings in the range that have talk time (a transcript). */
  meetings: number;
  total_seconds: number;
  internal_share: number | null;
  external_share: number | null;
  unknown_share: number | null;
  /** Longest talkers first. */
  speakers: SpeakerTalkTotal[];
}

export function talkTimeTotals(db: Db, filter: MeetingFilter, top: number | null = null): TalkTimeTotals {
  const where = meetingCondition(filter);
  const split = talkSplit(db, where, '1')[0] ?? { internal: 0, external: 0, unknown: 0 };
  const total = split.internal + split.external + split.unknown;
  const meetings = db.prepare(`SELECT count(*) AS n FROM talk_time t JOIN meetings m ON m.recording_id = t.recording_id WHERE ${where.sql}`).get(...where.params) as { n: number };
  const speakers = db
    .prepare(
      `SELECT max(s.name) AS name, max(s.email) AS email, max(s.external) AS external, count(DISTINCT s.recording_id) AS meetings,
              sum(s.seconds) AS seconds, sum(s.questions) AS questions, max(s.longest_monologue_seconds) AS longest
         FROM talk_time_speakers s JOIN meetings m ON m.recording_id = s.recording_id
        WHERE ${where.sql}
        GROUP BY coalesce(lower(s.email), s.name)
        ORDER BY seconds DESC, name ${top === null ? '' : 'LIMIT ?'}`,
    )
    .all(...where.params, ...(top === null ? [] : [top])) as { name: string; email: string | null; external: number | null; meetings: number; seconds: number; questions: number; longest: number }[];
  return {
    meetings: meetings.n,
    total_seconds: round(total, 3)!,
    internal_share: share(split.internal, total),
    external_share: share(split.external, total),
    unknown_share: share(split.unknown, total),
    speakers: speakers.map((r) => ({
      name: r.name,
      email: r.email,
      external: r.external === null ? null : r.external === 1,
      meetings: r.meetings,
      seconds: round(r.seconds, 3)!,
      share: share(r.seconds, total),
      questions: r.questions,
      longest_monologue_seconds: round(r.longest, 3)!,
    })),
  };
}

export function meetingStats(db: Db, filter: MeetingFilter, top = 10): MeetingStats {
  const where = meetingCondition(filter);
  const p = where.params;
  const totals = db
    .prepare(`SELECT count(*) AS meetings, coalesce(sum(m.duration_seconds), 0) AS seconds, coalesce(sum(${EXTERNAL_MEETING}), 0) AS external FROM meetings m WHERE ${where.sql}`)
    .get(...p) as { meetings: number; seconds: number; external: number };
  const talkBy = (group: string) => talkSplit(db, where, group);
  const overall = talkBy('1')[0] ?? { internal: 0, external: 0, unknown: 0 };
  const talked = overall.internal + overall.external + overall.unknown;
  const weekExpr = "date(m.created_at, '-6 days', 'weekday 1')";
  const weekTalk = new Map(talkBy(weekExpr).map((r) => [String(r.grp), r]));
  const weeks = (
    db
      .prepare(`SELECT ${weekExpr} AS week_start, count(*) AS meetings, coalesce(sum(m.duration_seconds), 0) AS seconds FROM meetings m WHERE ${where.sql} GROUP BY week_start ORDER BY week_start`)
      .all(...p) as { week_start: string; meetings: number; seconds: number }[]
  ).map((w) => {
    const t = weekTalk.get(w.week_start);
    const sum = t ? t.internal + t.external + t.unknown : 0;
    return { week_start: w.week_start, meetings: w.meetings, hours: round(w.seconds / 3600, 2)!, internal_share: t ? share(t.internal, sum) : null, external_share: t ? share(t.external, sum) : null };
  });
  const externalPeople = `SELECT lower(a.email) AS email, max(a.name) AS name, max(lower(coalesce(a.email_domain, substr(a.email, instr(a.email, '@') + 1)))) AS domain,
                                 m.recording_id, m.duration_seconds
                            FROM meeting_attendees a JOIN meetings m ON m.recording_id = a.recording_id
                           WHERE a.is_external = 1 AND a.email IS NOT NULL AND ${where.sql}
                           GROUP BY lower(a.email), m.recording_id`;
  const topCompanies = db
    .prepare(
      `SELECT domain, count(DISTINCT recording_id) AS meetings, round(coalesce(sum(DISTINCT_SECONDS), 0) / 60.0, 1) AS minutes FROM (
         SELECT domain, recording_id, max(duration_seconds) AS DISTINCT_SECONDS FROM (${externalPeople}) GROUP BY domain, recording_id
       ) WHERE domain IS NOT NULL AND domain <> '' GROUP BY domain ORDER BY meetings DESC, minutes DESC, domain LIMIT ?`,
    )
    .all(...p, top) as MeetingStats['top_companies'];
  const topPeople = db
    .prepare(
      `SELECT email, max(name) AS name, max(domain) AS domain, count(*) AS meetings, round(coalesce(sum(duration_seconds), 0) / 60.0, 1) AS minutes
         FROM (${externalPeople}) GROUP BY email ORDER BY meetings DESC, minutes DESC, email LIMIT ?`,
    )
    .all(...p, top) as MeetingStats['top_people'];
  const open = db
    .prepare(`SELECT count(*) AS n FROM action_items ai JOIN meetings m ON m.recording_id = ai.recording_id WHERE coalesce(ai.completed, 0) = 0 AND ${where.sql}`)
    .get(...p) as { n: number };
  return {
    meetings: totals.meetings,
    hours: round(totals.seconds / 3600, 2)!,
    external_meeting_share: share(totals.external, totals.meetings),
    talk: { internal_share: share(overall.internal, talked), external_share: share(overall.external, talked), unknown_share: share(overall.unknown, talked) },
    weeks,
    top_companies: topCompanies,
    top_people: topPeople,
    open_action_items: open.n,
  };
}
