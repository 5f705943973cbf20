import { UsageError } from '../core/errors.js';
import { parseDateArg, parsePositiveInt } from './user-input.js';
import { isEmailAddress } from './recorders.js';

/** Which meetings a read command (or an MCP tool) is about. */
export interface MeetingFilter {
  /** created_at from (inclusive), epoch ms. */
  since?: number;
  /** created_at up to (inclusive), epoch ms. */
  until?: number;
  /** Meetings with an attendee of this email, or of this company domain (repeatable: any of them). */
  with?: string[];
  recordedBy?: string[];
  teams?: string[];
  /** Attendee company domains (as `run --domain`). */
  domains?: string[];
  invitees?: 'only_internal' | 'one_or_more_external';
  meetingType?: string;
  /** Only these recordings. */
  ids?: number[];
  /** Only the meetings this account (profile) sees; every account's when absent. */
  account?: string;
}


/** The meeting filters every read command takes, as commander hands them over. */
export interface MeetingFilterFlags {
  since?: string;
  until?: string;
  with?: string[];
  recordedBy?: string[];
  team?: string[];
  domain?: string[];
  externalOnly?: boolean;
  internalOnly?: boolean;
  meetingType?: string;
}

/** An email address as the commands accept it (a person's, for --assignee, people EMAIL, --with, --recorded-by). */
export const isEmail = isEmailAddress;
const DOMAIN = /^@?[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u;

export function parseMeetingFilter(flags: MeetingFilterFlags): MeetingFilter {
  if (flags.externalOnly && flags.internalOnly) throw new UsageError('--external-only and --internal-only cannot be combined');
  const filter: MeetingFilter = {};
  if (flags.since !== undefined) filter.since = parseDateArg(flags.since, 'since');
  if (flags.until !== undefined) filter.until = parseDateArg(flags.until, 'until');
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
    throw new UsageError(`--since ${flags.since} is after --until ${flags.until}`);
  }
  for (const value of flags.with ?? []) {
    if (!isEmail(value) && !DOMAIN.test(value)) throw new UsageError(`--with "${value}" is neither an email address nor a company domain (acme.com)`);
  }
  for (const email of flags.recordedBy ?? []) {
    if (!isEmail(email)) throw new UsageError(`--recorded-by "${email}" is not an email address`);
  }
  for (const domain of flags.domain ?? []) {
    if (!DOMAIN.test(domain)) throw new UsageError(`--domain "${domain}" is not a company domain (acme.com)`);
  }
  if (flags.with?.length) filter.with = flags.with;
  if (flags.recordedBy?.length) filter.recordedBy = flags.recordedBy;
  if (flags.team?.length) filter.teams = flags.team;
  if (flags.domain?.length) filter.domains = flags.domain;
  if (flags.externalOnly) filter.invitees = 'one_or_more_external';
  if (flags.internalOnly) filter.invitees = 'only_internal';
  if (flags.meetingType) filter.meetingType = flags.meetingType;
  return filter;
}

export function parseLimit(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : parsePositiveInt(value, '--limit');
}
