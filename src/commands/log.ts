import { ExitCode } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import type { AppContext } from '../core/context.js';
import { parsePositiveInt } from '../sync/window.js';
import { recentRunSummaries, type RunSummary } from '../history/runs.js';

export interface LogFlags {
  limit?: string;
  db?: string;
  json?: boolean;
}

export const DEFAULT_LOG_LIMIT = 20;

export async function logCommand(flags: LogFlags, ctx: AppContext): Promise<number> {
  const limit = flags.limit === undefined ? DEFAULT_LOG_LIMIT : parsePositiveInt(flags.limit, '--limit');
  const { paths, output } = ctx;
  const runs = await recentRunSummaries(paths.database, limit);
  if (flags.json) {
    output.json(runs ?? []);
    return ExitCode.ok;
  }
  if (!runs || runs.length === 0) {
    output.result(`No sync has run yet (database: ${paths.database}). Start one with: fathom-sync run`);
    return ExitCode.ok;
  }
  output.result(formatRunTable(runs));
  return ExitCode.ok;
}

const shortTime = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

/** A fixed-width table, newest run first; the error, when there is one, goes on its own line. */
export function formatRunTable(runs: RunSummary[]): string {
  const header = ['ID', 'STARTED (UTC)', 'TRIGGER', 'MODE', 'STATUS', 'TOOK', 'SEEN', 'NEW', 'UPDATED'];
  const rows = runs.map((r) => [
    String(r.id),
    shortTime(r.started_at),
    r.trigger,
    r.mode,
    r.status,
    r.duration_ms === null ? '-' : formatDuration(r.duration_ms),
    String(r.meetings_seen),
    String(r.meetings_new),
    String(r.meetings_updated),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header)];
  runs.forEach((run, i) => {
    out.push(line(rows[i]!));
    if (run.error) out.push(`${' '.repeat(widths[0]! + 2)}error: ${run.error}`);
  });
  return out.join('\n');
}
