import { describeTarget } from '../core/database-target.js';
import type { AppContext } from '../core/context.js';
import { AuthRequiredError, FathomSyncError, InterruptedError, UsageError, ExitCode, errorMessage, exitCodeOf, type Fix } from '../core/errors.js';
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
  /** Sync every connected profile, one after another. */
  allProfiles?: boolean;
  /** --profile, given before or after `run` (cli.ts merges the two): only to refuse it beside --all-profiles. */
  profile?: string;
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
  output.onJsonFailure(() => ({ duration_ms: clock.now() - started, database: describeTarget(paths) }));
  if (flags.allProfiles && flags.profile !== undefined) {
    throw new UsageError('--all-profiles and --profile cannot be combined: --all-profiles syncs every connected profile');
  }
  const { mode, filters } = parseRunFlags(flags);
  if (flags.allProfiles) return runAllProfiles(flags, ctx, { mode, filters }, started);
  const { assertKnownProfile } = await import('../auth/profile-names.js');
  assertKnownProfile(ctx);
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
  if (output.jsonMode) output.json(runJson(result, { durationMs, database: describeTarget(paths) }));
  else if (!flags.quiet || flags.scheduled) {
    const stamp = flags.scheduled ? scheduledStamp(clock) : '';
    for (const line of summaryLines(result, { durationMs, database: describeTarget(paths) })) output.result(`${stamp}${line}`);
  }
  return ExitCode.ok;
}

/** What happened to one profile under `run --all-profiles`. */
export type ProfileRun<T> =
  | { profile: string; status: 'ok'; value: T; exitCode: 0 }
  | { profile: string; status: 'failed' | 'interrupted'; error: unknown; exitCode: number }
  /** Not started: a signal stopped the runs before its turn. */
  | { profile: string; status: 'not_run'; exitCode: null };

/**
 * Runs `syncOne` for each profile, one after another (not in parallel: Fathom's rate limits are
 * per account anyway, so nothing is gained per account, and one writer at a time keeps the shared
 * SQLite database free of lock waits). One profile's failure does not stop the others; a signal
 * (Ctrl-C, SIGTERM) does: the profile it stopped is `interrupted`, the ones after it `not_run`.
 */
export async function syncEachProfile<T>(profiles: readonly string[], syncOne: (profile: string) => Promise<T>, signal: AbortSignal): Promise<ProfileRun<T>[]> {
  const runs: ProfileRun<T>[] = [];
  for (const profile of profiles) {
    if (signal.aborted) {
      runs.push({ profile, status: 'not_run', exitCode: null });
      continue;
    }
    try {
      runs.push({ profile, status: 'ok', value: await syncOne(profile), exitCode: ExitCode.ok });
    } catch (err) {
      runs.push({ profile, status: err instanceof InterruptedError ? 'interrupted' : 'failed', error: err, exitCode: exitCodeOf(err) });
    }
  }
  return runs;
}

/**
 * The exit code of `run --all-profiles`: 0 when every profile synced; else that of the most
 * serious failure: a stop by signal (130/143) first, then the lowest code (1 failure, 2 bad
 * input, 4 credential, 5 temporary, 6 already running).
 */
export function worstExitCode(codes: ReadonlyArray<number | null>): number {
  const failed = codes.filter((c): c is number => c !== null && c !== ExitCode.ok);
  const stopped = failed.find((c) => c === ExitCode.interrupted || c === ExitCode.terminated);
  if (stopped !== undefined) return stopped;
  return failed.length ? Math.min(...failed) : ExitCode.ok;
}

interface ProfileSync {
  result: SyncJobResult;
  durationMs: number;
}

/** `run --all-profiles`: every connected profile, with the same request, each with its own credential, API URL, state and lock. */
async function runAllProfiles(flags: RunFlags, ctx: AppContext, request: { mode: ModeRequest; filters: SyncFilters }, started: number): Promise<number> {
  const { output, paths, clock } = ctx;
  const { readConfig } = await import('../core/config.js');
  const { contextForProfile } = await import('../core/context.js');
  const { connectedProfileNames } = await import('../auth/profile-names.js');
  const profiles = connectedProfileNames(readConfig(paths.configFile));
  if (profiles.length === 0) {
    throw new AuthRequiredError('no profile is connected: --all-profiles syncs the profiles connect saved a credential for', {
      text: 'Connect one:',
      commands: ['fathom-sync connect', 'fathom-sync connect --profile NAME'],
    });
  }
  if (ctx.env.FATHOM_API_KEY?.trim()) output.warn('FATHOM_API_KEY is ignored by --all-profiles: each profile syncs with its own stored credential');
  const { runSyncJob } = await import('../sync/job.js');
  const { createProgressView } = await import('./run-progress.js');
  const runs = await withInterruptSignal((signal) =>
    syncEachProfile(
      profiles,
      async (profile): Promise<ProfileSync> => {
        output.info(`profile ${profile}:`);
        const begun = clock.now();
        const result = await runSyncJob(contextForProfile(ctx, profile), {
          ...request,
          trigger: flags.scheduled ? 'schedule' : 'manual',
          wait: flags.wait ?? false,
          signal,
          reporterFor: (window) => createProgressView(output, window, clock),
        });
        return { result, durationMs: clock.now() - begun };
      },
      signal,
    ),
  );
  const exitCode = worstExitCode(runs.map((r) => r.exitCode));
  // What went wrong goes to stderr, as printError says it for one run, with the profile named.
  for (const run of runs) {
    if (run.status === 'not_run') output.streams.stderr.write(`fathom-sync: ${run.profile}: not synced (stopped before its turn)\n`);
    else if (run.status !== 'ok') output.errorLines(run.error, run.profile);
  }
  if (output.jsonMode) {
    const status = exitCode === ExitCode.ok ? 'ok' : runs.some((r) => r.status === 'interrupted') ? 'interrupted' : 'failed';
    const byProfile = Object.fromEntries(runs.map((r) => [r.profile, profileRunJson(r, describeTarget(paths))]));
    output.json({ status, exit_code: exitCode, duration_ms: clock.now() - started, database: describeTarget(paths), profiles: byProfile });
  } else if (!flags.quiet || flags.scheduled) {
    const stamp = flags.scheduled ? scheduledStamp(clock) : '';
    for (const run of runs) {
      if (run.status !== 'ok') continue;
      for (const line of summaryLines(run.value.result, { durationMs: run.value.durationMs, database: describeTarget(paths) })) output.result(`${stamp}${run.profile}: ${line}`);
    }
  }
  return exitCode;
}

/** The scheduled job's lines land in sync.log: stamped to the second, so the log reads as a history. */
function scheduledStamp(clock: AppContext['clock']): string {
  return `${new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')} `;
}

function fixOf(err: unknown): Fix | null {
  return err instanceof FathomSyncError ? (err.fix ?? null) : null;
}

/** One profile's part of `run --all-profiles --json`: run's own --json object, or the failure. */
function profileRunJson(run: ProfileRun<ProfileSync>, database: string): Record<string, unknown> {
  if (run.status === 'ok') return runJson(run.value.result, { durationMs: run.value.durationMs, database });
  if (run.status === 'not_run') return { status: 'not_run', exit_code: null };
  return { status: run.status, error: errorMessage(run.error), exit_code: run.exitCode, fix: fixOf(run.error) };
}

/**
 * Runs `fn` with a signal that SIGINT or SIGTERM aborts (with `reason`, a sync's InterruptedError
 * unless told). The first signal stops the sync between writes (each page is one transaction, so
 * nothing is half-written); its handler is gone after that, so a second Ctrl-C ends the process at once.
 */
export async function withInterruptSignal<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  reason: (signal: 'SIGINT' | 'SIGTERM') => InterruptedError = (signal) => new InterruptedError(signal),
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => controller.abort(reason(signal));
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
