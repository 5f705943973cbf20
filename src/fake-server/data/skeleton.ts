import { COMPANIES, EXTERNAL_DOMAINS, EXTERNAL_TYPES, EXTERNALS_BY_DOMAIN, INTERNAL_PEOPLE, INTERNAL_TYPES, OUTSIDE_RECORDERS, RECORDERS, type Contact } from './org.js';
import { hashInts, Rng, SALT } from './random.js';
import { EXTRA_SPEAKERS, fill, HOSTILE_TITLES, TITLES_EXTERNAL, TITLES_INTERNAL, TITLES_NO_CALENDAR } from './text.js';
import { isoSeconds } from './format.js';
import type { ContentKey, FullMeeting, Invitee, MeetingBase, SharedWith } from './types.js';

/**
 * A meeting's listing (title, times, invitees, recorder...): only a "skeleton" per meeting lives
 * in memory, built from (seed, slot) on first use; the bulky content is generated on demand
 * (content.ts).
 */

/** What a meeting's listing is made of; built on first use, from (seed, slot) alone. */
export interface SkeletonDetails {
  /** Listing fields as served with include_transcript=true (invitees carry matched speaker names). */
  base: MeetingBase;
  /** Who speaks in the transcript. email null = not matched to a calendar invitee. */
  speakers: { display_name: string; email: string | null }[];
  segments: number;
  durationSec: number;
  callId: number;
}

/**
 * One meeting in memory. Only the sort keys are made eagerly, so a server with 10,000
 * meetings starts in milliseconds; the listing fields are built on first access.
 */
export class Skeleton {
  pending: boolean;
  /** Content fields replaced through updateMeeting. */
  overrides: Partial<Pick<FullMeeting, ContentKey>> | null = null;
  #details: SkeletonDetails | null = null;
  readonly #build: (sk: Skeleton) => SkeletonDetails;

  constructor(
    readonly recordingId: number,
    public createdSec: number,
    readonly slot: number,
    pending: boolean,
    build: (sk: Skeleton) => SkeletonDetails,
    /** Recorded by a customer (OUTSIDE_RECORDERS) who shared it: listed only when recorded_by[] names them. */
    readonly outsider = false,
  ) {
    this.pending = pending;
    this.#build = build;
  }

  get details(): SkeletonDetails {
    return (this.#details ??= this.#build(this));
  }
  get base(): MeetingBase {
    return this.details.base;
  }
  get speakers(): SkeletonDetails['speakers'] {
    return this.details.speakers;
  }
  get segments(): number {
    return this.details.segments;
  }
  get durationSec(): number {
    return this.details.durationSec;
  }
  get callId(): number {
    return this.details.callId;
  }
}

/** Builds a meeting's listing from the seed and its slot alone. */
export function makeDetails(seed: number, segmentsPerMeeting: number | [number, number], sk: Skeleton): SkeletonDetails {
  const rng = new Rng(hashInts(seed, SALT.skeleton, sk.slot));
  const slot = sk.slot;
  const id = sk.recordingId;
  const createdSec = sk.createdSec;
  const callId = 301_000_000 + slot * 97 + rng.int(0, 96);
  const shareToken = rng.token(24);
  // A customer's own recording is of a call with their company, on their calendar.
  const outsider = sk.outsider;
  const recorder = outsider ? rng.pick(OUTSIDE_RECORDERS) : rng.weighted(RECORDERS.map((r, i) => [r, [5, 3, 3, 3, 2][i] ?? 1] as const));
  const calendar = outsider || rng.chance(0.9);
  const external = outsider || (calendar && rng.chance(0.6));

  // Invitees: the recorder, some colleagues, and for external meetings people from one
  // company (now and then a second one).
  const people: Contact[] = [];
  let company: string | null = null;
  if (calendar) {
    people.push(recorder);
    const colleagues = INTERNAL_PEOPLE.filter((c) => c !== recorder);
    const nColleagues = external ? rng.int(0, 2) : rng.int(1, 4);
    for (const c of rng.shuffle([...colleagues]).slice(0, nColleagues)) people.push(c);
    if (external) {
      company = outsider ? recorder.domain : rng.pick(EXTERNAL_DOMAINS);
      const pool = EXTERNALS_BY_DOMAIN.get(company)!.filter((c) => c !== recorder);
      for (const c of rng.shuffle([...pool]).slice(0, rng.int(1, 3))) people.push(c);
      if (rng.chance(0.15)) {
        const other = rng.pick(EXTERNAL_DOMAINS.filter((d) => d !== company));
        people.push(rng.pick(EXTERNALS_BY_DOMAIN.get(other)!));
      }
    }
    rng.shuffle(people);
  }
  const speakers: Skeleton['speakers'] = [];
  const invitees: Invitee[] = people.map((c) => {
    const speaks = c === recorder || rng.chance(0.85);
    if (speaks) speakers.push({ display_name: c.speakerName, email: c.email });
    return {
      name: c.name,
      matched_speaker_display_name: speaks ? c.speakerName : null,
      email: c.email,
      email_domain: c.domain,
      is_external: c.external,
    };
  });
  if (!calendar) speakers.push({ display_name: recorder.speakerName, email: null });
  if (rng.chance(0.12)) speakers.push({ display_name: rng.pick(EXTRA_SPEAKERS), email: null });
  // A colleague who joined without an invitation: no invitee says who they are, but Fathom's team
  // members do (talk time counts them as internal).
  if (rng.chance(0.08)) {
    const uninvited = INTERNAL_PEOPLE.filter((c) => c !== recorder && c.name !== null && !people.includes(c));
    if (uninvited.length > 0) speakers.push({ display_name: rng.pick(uninvited).name!, email: null });
  }

  const segSpec = segmentsPerMeeting;
  const segments = Array.isArray(segSpec) ? rng.int(Math.max(0, segSpec[0]), Math.max(segSpec[0], segSpec[1])) : Math.max(0, Math.floor(segSpec));
  const durationSec = Math.max(rng.int(8, 75) * 60 + rng.int(0, 59), segments * 5 + 30);
  const recEnd = createdSec - rng.int(15, 240);
  const recStart = recEnd - durationSec;
  let schedStart: number | null = null;
  let schedEnd: number | null = null;
  if (calendar) {
    schedStart = Math.round(recStart / 900) * 900;
    schedEnd = schedStart + rng.pick([15, 30, 30, 45, 60, 60, 90]) * 60;
  }

  const companyName = company ? COMPANIES[company]! : '';
  const vars = {
    co: companyName,
    n: rng.int(12, 140),
    q: rng.int(1, 4),
    a: recorder.name?.split(' ')[0] ?? 'Dev',
    b: (people.find((p) => p !== recorder && !p.external)?.name ?? 'Sven Åberg').split(' ')[0]!,
  };
  let meetingTitle: string | null = null;
  let title: string;
  if (calendar) {
    meetingTitle = fill(rng.pick(external ? TITLES_EXTERNAL : TITLES_INTERNAL), vars);
    title = rng.chance(0.8) ? meetingTitle : rng.chance(0.5) ? `${meetingTitle} (recording)` : fill(rng.pick(TITLES_INTERNAL), vars);
    if (rng.chance(0.05)) title = fill(rng.pick(HOSTILE_TITLES), vars);
  } else {
    title = rng.pick(TITLES_NO_CALENDAR);
  }
  let meetingType: string | null = null;
  if (rng.chance(0.75)) meetingType = rng.pick(external ? EXTERNAL_TYPES : INTERNAL_TYPES);
  let meetingUrl: string | null = null;
  if (calendar && rng.chance(0.9)) {
    meetingUrl = rng.weighted<() => string>([
      [() => `https://us02web.zoom.us/j/${rng.int(81_000_000, 89_999_999)}${rng.int(100, 999)}`, 4],
      [() => `https://meet.google.com/${rng.token(3, 'abcdefghijklmnopqrstuvwxyz')}-${rng.token(4, 'abcdefghijklmnopqrstuvwxyz')}-${rng.token(3, 'abcdefghijklmnopqrstuvwxyz')}`, 4],
      [() => `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${rng.token(32)}%40thread.v2/0`, 2],
      [() => `https://app.slack.com/huddle/T0${rng.token(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}/C0${rng.token(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}`, 1],
    ])();
  }
  const language =
    company === 'mueller-gmbh.de' && rng.chance(0.4)
      ? 'de'
      : rng.weighted([
          ['en', 90],
          ['unknown', 6],
          ['de', 4],
        ] as const);
  const sharedWith = rng.weighted<SharedWith>([
    ['no_teams', 3],
    ['single_team', 3.5],
    ['multiple_teams', 1.5],
    ['all_teams', 2],
  ]);

  const base: MeetingBase = {
    title,
    meeting_title: meetingTitle,
    recording_id: id,
    url: `https://fathom.video/calls/${callId}`,
    share_url: `https://fathom.video/share/${shareToken}`,
    meeting_url: meetingUrl,
    created_at: isoSeconds(createdSec),
    scheduled_start_time: schedStart === null ? null : isoSeconds(schedStart),
    scheduled_end_time: schedEnd === null ? null : isoSeconds(schedEnd),
    recording_start_time: isoSeconds(recStart),
    recording_end_time: isoSeconds(recEnd),
    calendar_invitees_domains_type: invitees.some((i) => i.is_external) ? 'one_or_more_external' : 'only_internal',
    meeting_type: meetingType,
    shared_with: sharedWith,
    transcript_language: language,
    calendar_invitees: invitees,
    recorded_by: { name: recorder.name!, email: recorder.email, email_domain: recorder.domain, team: recorder.team },
  };
  return { base, speakers, segments, durationSec, callId };
}

/**
 * Where a real Fathom cursor says a meeting comes from (its `completed_sources`): the key owner's
 * team's calls, calls other teams shared, calls shared with the org, calls customers shared.
 */
export const SOURCES = ['team_role_calls', 'host_shared_team_role_calls', 'shared_with_me_calls', 'external_shared_calls'] as const;

/** The index in SOURCES of the source a meeting is listed from. */
export function sourceOf(sk: Skeleton): number {
  if (sk.outsider) return 3;
  const team = sk.base.recorded_by.team;
  return team === 'Sales' ? 0 : team === null ? 2 : 1;
}

export function compareDesc(a: Skeleton, b: Skeleton): number {
  return b.createdSec - a.createdSec || b.recordingId - a.recordingId;
}

/** The meeting's company: the domain of its first external invitee (null when internal only). */
export function companyDomain(base: MeetingBase): string | null {
  for (const i of base.calendar_invitees) if (i.is_external && i.email_domain) return i.email_domain;
  return null;
}
