import { UsageError } from '../core/errors.js';
import { safeLine } from '../core/safe-text.js';
import { parseMeetingFilter } from '../domain/meeting-filter.js';
import type { MeetingFilter } from '../db/read/filters.js';
import type { Reader } from './tool-kit.js';

/**
 * Tool arguments read by the same rules as the read commands' flags (the commands' parsers,
 * so a date or a domain means the same in both), plus the meeting reference every
 * per-meeting tool takes.
 */

export interface FilterArgs {
  since?: string | undefined;
  until?: string | undefined;
  with?: string | string[] | undefined;
}

export function meetingFilterOf(args: FilterArgs): MeetingFilter {
  const withValues = args.with === undefined ? undefined : typeof args.with === 'string' ? [args.with] : args.with;
  return parseMeetingFilter({
    ...(args.since !== undefined ? { since: args.since } : {}),
    ...(args.until !== undefined ? { until: args.until } : {}),
    ...(withValues?.length ? { with: withValues.map((v) => v.trim()) } : {}),
  });
}

/** A recording id or a Fathom link, resolved as `show` resolves it. */
export function resolveMeeting(reader: Reader, ref: number | string): number {
  const id = reader.resolveMeetingRef(String(ref));
  if (id === null) {
    const shown = typeof ref === 'number' ? String(ref) : JSON.stringify(safeLine(ref).slice(0, 200));
    throw new UsageError(`no meeting ${shown} in the database: find its recording_id with search_meetings or list_meetings`);
  }
  return id;
}
