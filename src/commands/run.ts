import type { AppContext } from '../core/context.js';
import { InterruptedError, UsageError, ExitCode } from '../core/errors.js';
import { toCounterFields } from '../domain/counters.js';
import type { SyncFilters } from '../domain/filters.js';
import { isEmailAddress } from '../domain/recorders.js';
import { planWindow, type ModeRequest } from '../domain/window.js';
import type { SyncJobResult } from '../sync/job.js';
import { parseDateArg, parsePositiveInt } from '../domain/user-input.js';
import type { MeetingFilterFlags } from '../domain/meeting-filter.js';

/** Flags of `fathom-sync run`, as commander hands them over: the meeting filters of the read commands (but --with), and the modes. */
export interface RunFlags extends Omit<MeetingFilterFlags, 'with'> {
  all?: boolean;
  last?: string;
  incremental?: boolean;
  lookback?: string;
  db?: string;
  json?: boolean;
  quiet?: boolean;
  scheduled?: boolean;
  /** Wait for a sync that is already running instead of exiting 6. */
  wait?: boolean;
}

/** Turns flags into a mode request and filters; every problem is a UsageError, before any I/O. */
export function parseRunFlags(flags: RunFlags): { mode: ModeRequest; filters: SyncFilters } {
  const chosen = [
    flags.all && '--all',
    flags.since !== undefined && '--since',
    flags.last !== undefined && '--last',
    flags.incremental && '--incremental',
  ].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} cannot be combined: pick one mode`);
  if (flags.until !== undefined && flags.since === undefined) throw new UsageError('--until needs --since');
  if (flags.lookback !== undefined && !flags.incremental) throw new UsageError('--lookback only applies to --incremental');
  if (flags.externalOnly && flags.internalOnly) throw new UsageError('--external-only and --internal-only cannot be combined');

  let mode: ModeRequest;
  if (flags.all) mode = { mode: 'all' };
  else if (flags.last !== undefined) mode = { mode: 'last', last: parsePositiveInt(flags.last, '--last') };
  else if (flags.since !== undefined) {
    const since = parseDateArg(flags.since, 'since');
    const until = flags.until === undefined ? undefined : parseDateArg(flags.until, 'until');
    mode = { mode: 'range', since, ...(until === undefined ? {} : { until }) };
    planWindow(mode, { now: 0, bookmark: null }); // validates since <= until
  } else if (flags.incremental) {
    mode = { mode: 'incremental', ...(flags.lookback === undefined ? {} : { lookbackDays: parsePositiveInt(flags.lookback, '--lookback', 0) }) };
  } else mode = { mode: 'quick' };

  for (const email of flags.recordedBy ?? []) {
    if (!isEmailAddress(email)) throw new UsageError(`--recorded-by "${email}" is not an email address`);
  }
  const filters: SyncFilters = {};
  if (flags.recordedBy?.length) filters.recordedBy = flags.recordedBy;
  if (flags.team?.length) filters.teams = flags.team;
  if (flags.domain?.length) filters.calendarInviteesDomains = flags.domain;
  if (flags.externalOnly) filters.calendarInviteesDomainsType = 'one_or_more_external';
  if (flags.internalOnly) filters.calendarInviteesDomainsType = 'only_internal';
  if (flags.meetingType) filters.meetingType = flags.meetingType;
  return { mode, filters };
}

export async function runCommand(flags: RunFlags, ctx: AppContext): Promise<number> {
  const { output, paths, clock } = ctx;
  const started = clock.now();
  // The database the run wrote to, as shown: the file, or the PostgreSQL target without any password.
  const database = paths.databaseUrl ? (await import('../db/pg/connection.js')).describePgTarget(paths.databaseUrl) : paths.database;
  output.onJsonFailure(() => ({ duration_ms: clock.now() - started, database }));
  const { mode, filters } = parseRunFlags(flags);
  const { runSyncJob } = await import('../sync/job.js');
  const { createProgressView } = await import('./run-progress.js');
  const result = await withInterruptSignal((signal) =>
    runSyncJob(ctx, {
      mode,
      filters,
      trigger: flags.scheduled ? 'schedule' : 'manual',
      wait: flags.wait ?? false,
      signal,
      reporterFor: (window) => createProgressView(output, window, clock),
    }),
  );
  const durationMs = clock.now() - started;
  if (output.jsonMode) output.json(runJson(result, { durationMs, database }));
  else if (!flags.quiet || flags.scheduled) {
    // The scheduled job's lines land in sync.log: stamped, so the log reads as a history.
    const stamp = flags.scheduled ? `${new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')} ` : '';
    for (const line of summaryLines(result, { durationMs, database })) output.result(`${stamp}${line}`);
  }
  return ExitCode.ok;
}

/**
 * Runs `fn` with a signal that SIGINT or SIGTERM aborts. The first signal stops the sync between
 * writes (each page is one transaction, so nothing is half-written); its handler is gone after
 * that, so a second Ctrl-C ends the process at once.
 */
async function withInterruptSignal<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => controller.abort(new InterruptedError(signal));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** `run --json` (README: the fields of --json). */
export function runJson(result: SyncJobResult, extra: { durationMs: number; database: string }): Record<string, unknown> {
  const { run, backfill } = result;
  const c = toCounterFields(run.counters);
  return {
    status: 'ok',
    mode: run.mode,
    requested_mode: run.requestedMode,
    window_start: run.windowStart,
    window_end: run.windowEnd,
    ...c,
    slices: run.slices,
    recorders: result.recorders,
    rate_limit_wait_ms: run.rateLimitWaitMs,
    bookmark: run.bookmark,
    duration_ms: extra.durationMs,
    database: extra.database,
    run_id: run.runId,
    backfill: backfill && {
      run_id: backfill.runId,
      meetings_seen: backfill.counters.meetingsSeen,
      meetings_new: backfill.counters.meetingsNew,
      meetings_updated: backfill.counters.meetingsUpdated,
      pages: backfill.counters.pages,
      requests: backfill.counters.requests,
      slices: backfill.slices,
      remaining: backfill.remaining,
      error: backfill.error,
    },
  };
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The summary on stdout: one line, and one more when a backfill slice was read. */
function summaryLines(result: SyncJobResult, extra: { durationMs: number; database: string }): string[] {
  const c = result.run.counters;
  const lines = [
    `synced ${c.meetingsSeen} meetings (${c.meetingsNew} new, ${c.meetingsUpdated} updated${c.itemsSkipped ? `, ${c.itemsSkipped} skipped` : ''})` +
      ` in ${(extra.durationMs / 1000).toFixed(1)}s · ${plural(c.pages, 'page', 'pages')}, ${plural(c.requests, 'request', 'requests')}` +
      `${c.retries ? `, ${c.retries} retries` : ''}${c.rateLimited ? `, ${c.rateLimited} rate-limited` : ''} · ${extra.database}`,
  ];
  const { backfill } = result;
  if (backfill) {
    const b = backfill.counters;
    const next = backfill.error ? 'failed, tried again next run' : backfill.remaining ? `continues next run from ${backfill.remaining.before.slice(0, 10)}` : 'done';
    lines.push(`backfill: ${b.meetingsSeen} older meetings (${b.meetingsNew} new, ${b.meetingsUpdated} updated) · ${next}`);
  }
  return lines;
}
