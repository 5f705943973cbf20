import type { MeetingFilter } from '../../domain/meeting-filter.js';

export type { MeetingFilter };

/**
 * The filters every read command shares (list, search, export, tasks, stats, and the MCP tools),
 * turned into one SQL condition over `meetings m`. Values are always bound parameters.
 */


export interface SqlCondition {
  sql: string;
  params: (string | number)[];
}

/** Canonical ISO-8601 with milliseconds: the form every time column holds, so text order is time order. */
export const isoMs = (ms: number): string => new Date(ms).toISOString();

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Attendee match for --with / --domain: an exact email, or a domain (with or without a leading @). */
function attendeeCondition(values: string[]): SqlCondition {
  const emails = values.filter((v) => v.includes('@') && !v.startsWith('@')).map((v) => v.toLowerCase());
  const domains = values.filter((v) => !v.includes('@') || v.startsWith('@')).map((v) => v.replace(/^@/, '').toLowerCase());
  const parts: string[] = [];
  const params: string[] = [];
  if (emails.length) {
    parts.push(`lower(a.email) IN (${placeholders(emails.length)})`);
    params.push(...emails);
  }
  if (domains.length) {
    parts.push(`lower(coalesce(a.email_domain, substr(a.email, instr(a.email, '@') + 1))) IN (${placeholders(domains.length)})`);
    params.push(...domains);
  }
  return { sql: `EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.recording_id = m.recording_id AND (${parts.join(' OR ')}))`, params };
}

export function meetingCondition(f: MeetingFilter): SqlCondition {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const add = (c: SqlCondition) => {
    parts.push(c.sql);
    params.push(...c.params);
  };
  if (f.since !== undefined) add({ sql: 'm.created_at >= ?', params: [isoMs(f.since)] });
  if (f.until !== undefined) add({ sql: 'm.created_at <= ?', params: [isoMs(f.until)] });
  if (f.with?.length) add(attendeeCondition(f.with));
  if (f.domains?.length) add(attendeeCondition(f.domains.map((d) => d.replace(/^@?/, '@'))));
  if (f.recordedBy?.length) add({ sql: `lower(m.recorded_by_email) IN (${placeholders(f.recordedBy.length)})`, params: f.recordedBy.map((e) => e.toLowerCase()) });
  if (f.teams?.length) add({ sql: `m.recorded_by_team IN (${placeholders(f.teams.length)})`, params: f.teams });
  if (f.invitees) add({ sql: 'm.calendar_invitees_domains_type = ?', params: [f.invitees] });
  if (f.meetingType) add({ sql: 'm.meeting_type = ?', params: [f.meetingType] });
  if (f.ids?.length) add({ sql: `m.recording_id IN (${placeholders(f.ids.length)})`, params: f.ids });
  if (f.account !== undefined) add({ sql: 'EXISTS (SELECT 1 FROM account_meetings am WHERE am.recording_id = m.recording_id AND am.account = ?)', params: [f.account] });
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}
