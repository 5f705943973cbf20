import type { AppContext } from '../core/context.js';
import { accountScope, openReaderFor } from './read-scope.js';
import { ExitCode } from '../core/errors.js';
import type { MeetingListItem } from '../db/read/reader.js';
import { parseLimit, parseMeetingFilter, type MeetingFilterFlags } from '../domain/meeting-filter.js';
import { renderTable } from './render/table.js';

export interface ListFlags extends MeetingFilterFlags {
  limit?: string;
  json?: boolean;
}

export const DEFAULT_LIST_LIMIT = 20;

/** `fathom-sync list`: recent meetings, newest first. */
export async function listCommand(flags: ListFlags, ctx: AppContext): Promise<number> {
  const filter = { ...parseMeetingFilter(flags), ...accountScope(ctx) };
  const limit = parseLimit(flags.limit, DEFAULT_LIST_LIMIT);
  const reader = await openReaderFor(ctx);
  try {
    const meetings = reader.listMeetings(filter, limit);
    if (ctx.output.jsonMode) ctx.output.json(meetings);
    else if (meetings.length === 0) ctx.output.result('No meetings match.');
    else ctx.output.result(formatMeetingTable(meetings));
    return ExitCode.ok;
  } finally {
    reader.close();
  }
}

export function formatMeetingTable(meetings: readonly MeetingListItem[]): string {
  return renderTable(
    [{ header: 'DATE' }, { header: 'MIN', align: 'right' }, { header: 'TITLE', max: 48 }, { header: 'COMPANIES', max: 28 }, { header: 'PEOPLE', align: 'right' }, { header: 'ACTIONS', align: 'right' }, { header: 'ID', align: 'right' }],
    meetings.map((m) => [
      m.created_at.slice(0, 16).replace('T', ' '),
      m.duration_seconds === null ? '-' : Math.round(m.duration_seconds / 60),
      m.title ?? '(untitled)',
      m.external_domains.join(', ') || '-',
      m.attendee_count,
      m.open_action_item_count ? `${m.open_action_item_count}/${m.action_item_count}` : m.action_item_count,
      m.recording_id,
    ]),
  );
}
