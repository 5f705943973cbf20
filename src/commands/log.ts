import { ExitCode } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import type { AppContext } from '../core/context.js';
import { toCounterFields } from '../domain/counters.js';
import type { RunRecord } from '../db/run-history.js';
import { recentRuns, runDurationMs } from '../history/runs.js';
import { parsePositiveInt } from '../domain/user-input.js';
import { describeTarget } from '../core/database-target.js';

export interface LogFlags {
  limit?: string;
  db?: string;
  json?: boolean;
}

export const DEFAULT_LOG_LIMIT = 20;

export async function logCommand(flags: LogFlags, ctx: AppContext): Promise<number> {
  const limit = flags.limit === undefined ? DEFAULT_LOG_LIMIT : parsePositiveInt(flags.limit, '--limit');
  const { paths, output } = ctx;
  const runs = await recentRuns(paths, limit, ctx.profileChosen ? ctx.profile : undefined);
  if (flags.json) {
    output.json((runs ?? []).map(runJson));
    return ExitCode.ok;
  }
  if (!runs || runs.length === 0) {
    output.result(`No sync has run yet (database: ${describeTarget(paths)}). Start one with: fathom-sync run`);
    return ExitCode.ok;
  }
  output.result(formatRunTable(runs));
  return ExitCode.ok;
}

/** One run as `log --json` prints it (README: Run history). */
export function runJson(run: RunRecord): Record<string, unknown> {
  return {
    id: run.id,
    profile: run.account,
    trigger: run.trigger,
    mode: run.mode,
    status: run.status,
    started_at: run.startedAt,
    ended_at: run.endedAt,
    duration_ms: runDurationMs(run),
    window_start: run.windowStart,
    window_end: run.windowEnd,
    ...toCounterFields(run.counters),
    error: run.error,
  };
}

/** "2026-11-20 12:00:00Z": a stored time to the second, for the table. */
const shortTime = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

/** A fixed-width table, newest run first; the error, when there is one, goes on its own line. */
export function formatRunTable(runs: RunRecord[]): string {
  // The profile column only when runs of several accounts are listed.
  const profiles = new Set(runs.map((r) => r.account)).size > 1;
  const header = ['ID', ...(profiles ? ['PROFILE'] : []), 'STARTED (UTC)', 'TRIGGER', 'MODE', 'STATUS', 'TOOK', 'SEEN', 'NEW', 'UPDATED'];
  const rows = runs.map((r) => {
    const took = runDurationMs(r);
    return [
      String(r.id),
      ...(profiles ? [r.account] : []),
      shortTime(r.startedAt),
      r.trigger,
      r.mode,
      r.status,
      took === null ? '-' : formatDuration(took),
      String(r.counters.meetingsSeen),
      String(r.counters.meetingsNew),
      String(r.counters.meetingsUpdated),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header)];
  runs.forEach((run, i) => {
    out.push(line(rows[i]!));
    if (run.error) out.push(`${' '.repeat(widths[0]! + 2)}error: ${run.error}`);
  });
  return out.join('\n');
}
