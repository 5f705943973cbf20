import path from 'node:path';
import type { OutputHost as Output } from '../core/output.js';
import type { AppContext } from '../core/context.js';
import type { AppPaths } from '../core/paths.js';
import { AlreadyRunningError, AuthRequiredError, InterruptedError, UsageError, ExitCode, errorMessage } from '../core/errors.js';
import { parseDateArg, parsePositiveInt, planWindow, resumeWindow, type ModeRequest, type SyncWindow } from '../sync/window.js';
import type { SyncFilters, SyncResult } from '../sync/engine.js';
import { apiSettings, createApiClient } from '../api/factory.js';
import { credentialProviderFor } from '../auth/provider.js';
import { toIso } from '../sync/time.js';

/** Flags of `fathom-sync run`, as commander hands them over. */
export interface RunFlags {
  all?: boolean;
  since?: string;
  until?: string;
  last?: string;
  incremental?: boolean;
  lookback?: string;
  recordedBy?: string[];
  team?: string[];
  domain?: string[];
  externalOnly?: boolean;
  internalOnly?: boolean;
  meetingType?: string;
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
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError(`--recorded-by "${email}" is not an email address`);
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
  const { output, paths } = ctx;
  const started = ctx.clock.now();
  output.onJsonFailure(() => ({ duration_ms: ctx.clock.now() - started, database: paths.database }));
  const { mode, filters } = parseRunFlags(flags);
  return syncOnce({ flags, mode, filters, output, paths, ctx, started });
}

/** The slice of an unfinished backfill an incremental run read after its own window. */
interface BackfillSummary {
  /** The slice's row in sync_runs (null when it failed before starting one). */
  run_id: number | null;
  meetings_seen: number;
  meetings_new: number;
  meetings_updated: number;
  pages: number;
  requests: number;
  /** What is still missing after this slice, or null when the backfill is done. */
  remaining: { from: string | null; before: string } | null;
  /** Why the slice failed (the run itself still succeeded), or null. */
  error: string | null;
}

async function syncOnce(args: {
  flags: RunFlags;
  mode: ModeRequest;
  filters: SyncFilters;
  output: Output;
  paths: AppPaths;
  ctx: AppContext;
  started: number;
}): Promise<number> {
  const { flags, mode, filters, output, paths, ctx, started } = args;
  // A run refused before it starts is still a run: the history must show the hourly job failing
  // for want of a credential, not only its last success.
  const refuse = async (err: unknown, status: 'failed' | 'skipped'): Promise<never> => {
    const { recordRefusedRun } = await import('../history/refused-run.js');
    await recordRefusedRun(
      paths.database,
      { trigger: flags.scheduled ? 'schedule' : 'manual', mode: mode.mode, status, error: errorMessage(err), now: toIso(ctx.clock.now()) },
      (message) => output.warn(message),
    );
    throw err;
  };
  const auth = await credentialProviderFor(ctx)
    .resolve()
    .catch((err: unknown) => refuse(err, 'failed'));
  if (!auth) return refuse(new AuthRequiredError('no Fathom credential: run fathom-sync connect, or set FATHOM_API_KEY'), 'failed');

  const { openDatabase, assertDatabaseUsable } = await import('../db/database.js');
  // A --db that is not a usable SQLite file is refused before anything (even the lock) is written.
  await assertDatabaseUsable(paths.database);
  const { SyncStore } = await import('../db/sync-store.js');
  const { runSync, isFiltered } = await import('../sync/engine.js');
  const { createProgressView } = await import('./run-progress.js');

  // One sync at a time, taken before the database is touched. A credential refresh takes its
  // own short lock and never waits for this one, so holding both cannot deadlock.
  const { acquireRunLock, describeOwner } = await import('../core/lock.js');
  const { tidyAfterRun } = await import('../history/after-run.js');
  const lock = await acquireRunLock(paths.lockFile, {
    wait: flags.wait ?? false,
    onWait: (owner) => output.info(`waiting for the sync already running (${describeOwner(owner)}) to finish...`),
    onTakeover: (stale) => output.info(`took over a stale lock (${stale.reason})`),
  }).catch((err: unknown) => refuse(err, err instanceof AlreadyRunningError ? 'skipped' : 'failed'));
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase(paths.database, { ownDirectory: path.dirname(paths.database) === paths.dataDir });
  } catch (err) {
    lock.release();
    throw err;
  }
  const controller = new AbortController();
  // The first signal stops the sync between writes (each page is one transaction, so nothing
  // is half-written); the handler is gone after that, so a second Ctrl-C ends it at once.
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => controller.abort(new InterruptedError(signal));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let view: Awaited<ReturnType<typeof createProgressView>> | undefined;
  try {
    const store = new SyncStore(db);
    const now = ctx.windowNow();
    const state = store.state();
    const window = planWindow(mode, {
      now,
      bookmark: state.bookmark ? Date.parse(state.bookmark) : null,
      oldestIncomplete: (() => {
        const at = store.oldestIncompleteSince(toIso(now - 30 * 24 * 3600 * 1000));
        return at ? Date.parse(at) : null;
      })(),
    });
    const client = createApiClient({ settings: apiSettings(ctx), auth, clock: ctx.clock, onEvent: (e) => view?.httpEvent(e) });
    const syncWindow = async (w: SyncWindow): Promise<SyncResult> => {
      view = await createProgressView(output, { limit: w.limit, endKnown: w.start !== null || w.limit !== null });
      try {
        return await runSync({ window: w, filters, trigger: flags.scheduled ? 'schedule' : 'manual', now, client, store, reporter: view, signal: controller.signal });
      } catch (err) {
        // Whatever the abort surfaced as (a cancelled request, a cancelled wait), the user's signal is the cause.
        throw controller.signal.aborted ? controller.signal.reason : err;
      } finally {
        view.stop();
      }
    };
    const result = await syncWindow(window);
    // The hourly job also finishes, a slice per run, a backfill that stopped part way.
    const gap = mode.mode === 'incremental' && !isFiltered(filters) ? store.pendingBackfill() : null;
    let backfill: BackfillSummary | null = null;
    if (gap) {
      output.info(`continuing an unfinished backfill: meetings from ${gap.from?.slice(0, 10) ?? 'the beginning'} to ${gap.before.slice(0, 10)}`);
      let slice: SyncResult | null = null;
      let sliceError: string | null = null;
      try {
        slice = await syncWindow(resumeWindow(gap));
      } catch (err) {
        // The run's own window is synced: a slice of old meetings that failed (network, rate
        // limits) is tried again next hour and must not turn this run into a failure. The user's
        // Ctrl-C and a credential that stopped working still end it.
        if (err instanceof InterruptedError || err instanceof AuthRequiredError) throw err;
        sliceError = errorMessage(err);
        output.warn(`could not continue the unfinished backfill (${sliceError}); the next incremental run tries again`);
      }
      const left = store.pendingBackfill();
      backfill = {
        run_id: slice?.runId ?? null,
        meetings_seen: slice?.meetingsSeen ?? 0,
        meetings_new: slice?.meetingsNew ?? 0,
        meetings_updated: slice?.meetingsUpdated ?? 0,
        pages: slice?.pages ?? 0,
        requests: slice?.requests ?? 0,
        remaining: left,
        error: sliceError,
      };
    }
    const summary = {
      status: result.status,
      mode: result.mode,
      requested_mode: result.requestedMode,
      window_start: result.windowStart,
      window_end: result.windowEnd,
      meetings_seen: result.meetingsSeen,
      meetings_new: result.meetingsNew,
      meetings_updated: result.meetingsUpdated,
      items_skipped: result.itemsSkipped,
      pages: result.pages,
      requests: result.requests,
      retries: result.retries,
      rate_limited: result.rateLimited,
      rate_limit_wait_ms: result.rateLimitWaitMs,
      bookmark: result.bookmark,
      duration_ms: ctx.clock.now() - started,
      database: paths.database,
      run_id: result.runId,
      backfill,
    };
    if (output.jsonMode) output.json(summary);
    else if (!flags.quiet || flags.scheduled) {
      // The scheduled job's line lands in sync.log: stamp it so the log reads as a history.
      const stamp = flags.scheduled ? `${new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')} ` : '';
      output.result(
        `${stamp}synced ${summary.meetings_seen} meetings (${summary.meetings_new} new, ${summary.meetings_updated} updated` +
          `${summary.items_skipped ? `, ${summary.items_skipped} skipped` : ''}) in ${(summary.duration_ms / 1000).toFixed(1)}s` +
          ` · ${summary.pages} ${summary.pages === 1 ? 'page' : 'pages'}, ${summary.requests} ${summary.requests === 1 ? 'request' : 'requests'}` +
          `${summary.retries ? `, ${summary.retries} retries` : ''}${summary.rate_limited ? `, ${summary.rate_limited} rate-limited` : ''}` +
          ` · ${paths.database}`,
      );
      if (backfill) {
        output.result(
          `${stamp}backfill: ${backfill.meetings_seen} older meetings (${backfill.meetings_new} new, ${backfill.meetings_updated} updated) · ` +
            (backfill.error ? 'failed, tried again next run' : backfill.remaining ? `continues next run from ${backfill.remaining.before.slice(0, 10)}` : 'done'),
        );
      }
    }
    return ExitCode.ok;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    tidyAfterRun(db, paths, (message) => output.warn(message));
    db.close();
    lock.release();
  }
}
