import type { CursorCodec } from './cursor.js';
import { companyDomain, type Skeleton } from './data/skeleton.js';
import type { IncludeFlags } from './data/types.js';
import type { MeetingOrder } from './meeting-order.js';

export const OAUTH_INCLUDE_ERROR =
  'OAuth users are not allowed to include summary or transcript in this request. Please use /recordings endpoint instead.';

const ISO_PARAM = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** An ISO-8601 date or date-time query value to ms; null when it is not one. No zone = UTC. */
export function parseIsoParam(raw: string): number | null {
  // A '+' that was not percent-encoded arrives as a space.
  const v = raw.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  const m = ISO_PARAM.exec(v);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  let zone = m[7] ?? 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const day = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const frac = /\.(\d{1,9})/.exec(v)?.[1];
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? `.${frac.slice(0, 3).padEnd(3, '0')}` : ''}${zone.toUpperCase()}`);
  return Number.isNaN(t) ? null : t;
}

/** A validated GET /meetings query. */
export interface MeetingsQuery {
  include: IncludeFlags;
  /** created_after as ms (exclusive), or null. */
  after: number | null;
  /** created_before as ms (exclusive), or null. */
  before: number | null;
  /** The rank (in the server's order) of the last meeting the cursor's page served, or null. */
  resumeAfter: readonly number[] | null;
  /** The remaining filters (recorded_by[], teams[], domains, meeting_type). */
  matches: (sk: Skeleton) => boolean;
}

export type ParsedMeetingsQuery = { ok: true; query: MeetingsQuery } | { ok: false; error: string };

/** Validates in Fathom's order, so the first problem found is the one a client is told about. */
export function parseMeetingsQuery(q: URLSearchParams, authKind: 'api_key' | 'bearer', cursors: CursorCodec, order: MeetingOrder): ParsedMeetingsQuery {
  const flag = (name: string) => q.get(name) === 'true';
  const include: IncludeFlags = {
    transcript: flag('include_transcript'),
    summary: flag('include_summary'),
    actionItems: flag('include_action_items'),
    highlights: flag('include_highlights'),
    crmMatches: flag('include_crm_matches'),
  };
  if (authKind === 'bearer' && (include.transcript || include.summary)) return { ok: false, error: OAUTH_INCLUDE_ERROR };

  let after: number | null = null;
  let before: number | null = null;
  const rawAfter = q.get('created_after');
  const rawBefore = q.get('created_before');
  if (rawAfter !== null) {
    after = parseIsoParam(rawAfter);
    if (after === null) return { ok: false, error: `created_after: "${rawAfter}" is not a valid ISO 8601 timestamp` };
  }
  if (rawBefore !== null) {
    before = parseIsoParam(rawBefore);
    if (before === null) return { ok: false, error: `created_before: "${rawBefore}" is not a valid ISO 8601 timestamp` };
  }
  const domainsType = q.get('calendar_invitees_domains_type') ?? 'all';
  if (!['all', 'only_internal', 'one_or_more_external'].includes(domainsType)) {
    return { ok: false, error: 'calendar_invitees_domains_type must be one of: all, only_internal, one_or_more_external' };
  }
  let resumeAfter: readonly number[] | null = null;
  const rawCursor = q.get('cursor');
  if (rawCursor !== null && rawCursor !== '') {
    const c = cursors.decode(rawCursor);
    resumeAfter = c ? order.rankOf(c) : null;
    if (!resumeAfter) return { ok: false, error: 'Invalid cursor' };
  }
  const recordedBy = new Set(q.getAll('recorded_by[]').map((e) => e.toLowerCase()));
  const teams = new Set(q.getAll('teams[]'));
  const domains = new Set(q.getAll('calendar_invitees_domains[]'));
  const meetingType = q.get('meeting_type');

  const matches = (sk: Skeleton): boolean => {
    const b = sk.base;
    // A call a customer recorded and shared is listed only to a query that names them (and has no teams[]).
    if (sk.outsider && (teams.size > 0 || !recordedBy.has(b.recorded_by.email.toLowerCase()))) return false;
    if (recordedBy.size > 0 && !recordedBy.has(b.recorded_by.email.toLowerCase())) return false;
    if (teams.size > 0 && (b.recorded_by.team === null || !teams.has(b.recorded_by.team))) return false;
    if (domainsType !== 'all' && b.calendar_invitees_domains_type !== domainsType) return false;
    if (meetingType !== null && b.meeting_type !== meetingType) return false;
    if (domains.size > 0) {
      const d = companyDomain(b);
      if (d === null || !domains.has(d)) return false;
    }
    return true;
  };
  return { ok: true, query: { include, after, before, resumeAfter, matches } };
}
