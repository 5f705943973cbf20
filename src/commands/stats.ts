import type { AppContext } from '../core/context.js';
import { accountScope, openReaderFor } from './read-scope.js';
import { ExitCode } from '../core/errors.js';
import { meetingStats, type MeetingStats } from '../db/read/stats.js';
import { parseMeetingFilter, type MeetingFilterFlags } from '../domain/meeting-filter.js';
import { renderBars } from './render/bars.js';
import { renderTable } from './render/table.js';

export interface StatsFlags extends MeetingFilterFlags {
  json?: boolean;
}

/** `fathom-sync stats`: meetings and hours per week, external share, talk share, top companies and people. */
export async function statsCommand(flags: StatsFlags, ctx: AppContext): Promise<number> {
  const filter = { ...parseMeetingFilter(flags), ...accountScope(ctx) };
  const reader = await openReaderFor(ctx);
  try {
    const stats = meetingStats(reader.db, filter);
    if (ctx.output.jsonMode) ctx.output.json(stats);
    else ctx.output.result(formatStats(stats, { chart: ctx.output.streams.stdout.isTTY === true }));
    return ExitCode.ok;
  } finally {
    reader.close();
  }
}

const pct = (share: number | null) => (share === null ? '-' : `${Math.round(share * 100)}%`);

export function formatStats(s: MeetingStats, options: { chart: boolean }): string {
  const out = [
    `${s.meetings} meeting${s.meetings === 1 ? '' : 's'}, ${s.hours} hours · ${pct(s.external_meeting_share)} with someone external · ${s.open_action_items} open action item${s.open_action_items === 1 ? '' : 's'}`,
    `Talk: internal ${pct(s.talk.internal_share)}, external ${pct(s.talk.external_share)}, unknown ${pct(s.talk.unknown_share)}`,
  ];
  if (s.weeks.length) {
    out.push('', 'Per week (Monday, UTC)');
    const rows = s.weeks.map((w) => ({ label: w.week_start, value: w.hours, text: `${w.meetings} mtg, ${w.hours} h · talk int ${pct(w.internal_share)} / ext ${pct(w.external_share)}` }));
    // People would rather look than read: a chart at a terminal, a plain table elsewhere.
    out.push(options.chart ? renderBars(rows) : rows.map((r) => `${r.label}  ${r.text}`).join('\n'));
  }
  if (s.top_companies.length) {
    out.push('', 'Top external companies');
    out.push(renderTable([{ header: 'DOMAIN', max: 40 }, { header: 'MEETINGS', align: 'right' }, { header: 'MINUTES', align: 'right' }], s.top_companies.map((c) => [c.domain, c.meetings, c.minutes])));
  }
  if (s.top_people.length) {
    out.push('', 'Top external people');
    out.push(renderTable([{ header: 'NAME', max: 30 }, { header: 'EMAIL', max: 36 }, { header: 'MEETINGS', align: 'right' }, { header: 'MINUTES', align: 'right' }], s.top_people.map((p) => [p.name ?? '-', p.email, p.meetings, p.minutes])));
  }
  return out.join('\n');
}
