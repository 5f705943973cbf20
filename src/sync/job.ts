import type { AppContext } from '../core/context.js';
import { readConfig } from '../core/config.js';
import { AlreadyRunningError, AuthRequiredError, InterruptedError, errorMessage } from '../core/errors.js';
import { systemLockSystem, type LockSystem } from '../core/lock-file.js';
import type { SyncTarget } from '../db/sync-target.js';
import { trimLogFile } from '../history/retention.js';
import { syncStorageFor } from './storage/factory.js';
import type { OpenSyncStorage } from './storage/types.js';
import { apiSettings, createApiClient } from '../api/factory.js';
import type { ApiAuth } from '../api/auth.js';
import { credentialProviderFor } from '../auth/provider.js';
import type { RunTrigger } from '../db/run-history.js';
import { isFiltered, type SyncFilters } from '../domain/filters.js';
import { configuredRecorders } from '../domain/recorders.js';
import { CONTENT_RETRY_TRIES, contentRetryCutoff } from '../domain/content-retry.js';
import { toIso } from '../domain/time.js';
import { incompleteRecheckFrom, planWindow, type ModeRequest, type SyncWindow } from '../domain/window.js';
import { continueBackfill, type BackfillSliceResult } from './backfill-slice.js';
import type { WindowReporter, WindowReporterFactory } from './reporter.js';
import { syncWindow, type WindowSyncResult } from './window-sync.js';
import { refreshTeamsIfDue } from './team-sync.js';

/**
 * The sync use case, start to end: find the credential (a run refused for want of one, or because
 * another sync holds the lock, is still recorded), take the run lock, open the database, plan the
 * window, read it, continue an unfinished backfill, tidy the history. It takes an options object
 * and returns a result: flags, signals and rendering are the `run` command's.
 */

export interface SyncJobRequest {
  mode: ModeRequest;
  filters: SyncFilters;
  trigger: RunTrigger;
  /** Wait for a sync that is already running instead of failing with AlreadyRunningError. */
  wait: boolean;
  /** The user's stop (Ctrl-C, SIGTERM): the job stops between writes; its reason is what is thrown. */
  signal: AbortSignal;
  /** A progress reporter for each window read. */
  reporterFor: WindowReporterFactory;
}

export interface SyncJobResult {
  /** The run's own window. */
  run: WindowSyncResult;
  /** The slice of an unfinished backfill read after it (incremental runs), or null. */
  backfill: BackfillSliceResult | null;
  /** The recorders outside the organisation this run also asked for (config add-recorder). */
  recorders: string[];
}

export type SyncJobContext = Pick<AppContext, 'paths' | 'env' | 'clock' | 'output' | 'seams' | 'windowNow' | 'profile'> & {
  /** The machine's facts for the lock and for runs left "running" (tests stand in for it). */
  lockSystem?: LockSystem;
};

export async function runSyncJob(ctx: SyncJobContext, req: SyncJobRequest): Promise<SyncJobResult> {
  const { clock, output } = ctx;
  const system = ctx.lockSystem ?? systemLockSystem;
  const storage = await syncStorageFor(ctx);
  const warn = (message: string) => output.warn(message);
  const runFacts = (status: 'failed' | 'skipped', err: unknown) => ({ trigger: req.trigger, mode: req.mode.mode, status, error: errorMessage(err), now: toIso(clock.now()), pid: system.pid });
  // A run refused before it starts is still a run: the history must show the hourly job failing
  // for want of a credential, not only its last success.
  const refuse = async (err: unknown, status: 'failed' | 'skipped'): Promise<never> => {
    await storage.recordRefused(runFacts(status, err), warn);
    throw err;
  };
  const unrecorded = (err: unknown): unknown => {
    storage.rememberUnrecorded(err, runFacts('skipped', err), warn);
    return err;
  };
  const auth: ApiAuth | null = await credentialProviderFor(ctx)
    .resolve()
    .catch((err: unknown) => refuse(err, 'failed'));
  if (!auth) return refuse(new AuthRequiredError('no Fathom credential: run fathom-sync connect, or set FATHOM_API_KEY'), 'failed');
  req.signal.throwIfAborted();

  await storage.assertUsable();
  const lock = await storage
    .lock({
      wait: req.wait,
      signal: req.signal,
      clock,
      system,
      onWait: (holder) => output.info(`waiting for the sync already running (${holder}) to finish...`),
      onTakeover: (reason) => output.info(`took over a stale lock (${reason})`),
    })
    .catch((err: unknown) => {
      // Stopped while waiting for another sync: nothing was refused.
      if (err instanceof InterruptedError) throw err;
      return refuse(err, err instanceof AlreadyRunningError ? 'skipped' : 'failed');
    });
  let target: OpenSyncStorage;
  try {
    target = await storage.open();
  } catch (err) {
    await lock.release();
    throw unrecorded(err);
  }
  const { store, guard } = target;
  try {
    await target.recordUnrecorded(warn);
    const now = ctx.windowNow();
    const recorders = recordersFor(ctx);
    let reporter: WindowReporter | undefined;
    const client = createApiClient({ settings: apiSettings(ctx), auth, clock, onEvent: (e) => reporter?.httpEvent(e) });
    const readWindow = async (window: SyncWindow): Promise<WindowSyncResult> => {
      reporter = await req.reporterFor({ limit: window.limit, endKnown: window.start !== null || window.limit !== null });
      try {
        return await syncWindow({ window, filters: req.filters, recorders, trigger: req.trigger, now, client, store, clock, processes: system, reporter, signal: req.signal });
      } catch (err) {
        // Whatever the abort surfaced as (a cancelled request, a cancelled wait), the user's signal is the cause.
        throw req.signal.aborted ? req.signal.reason : err;
      } finally {
        reporter.stop();
      }
    };
    const run = await readWindow(await planFor(store, req.mode, now));
    // After the run's own window (so a rejected credential or a server that is down fails the run
    // there, recorded): a change of team members works talk time out again for every meeting.
    await refreshTeamsIfDue({ client, teams: target.teams, clock, output, signal: req.signal });
    const backfill = req.mode.mode === 'incremental' && !isFiltered(req.filters) ? await continueBackfill(store, readWindow, output) : null;
    // A storage failure in the backfill slice is not the network's: it fails the run.
    guard.throwIfFailed();
    return { run, backfill, recorders };
  } catch (err) {
    throw unrecorded(err);
  } finally {
    // Housekeeping never turns a good run into a failed one: problems are only reported.
    await target.tidy(clock.now(), warn);
    try {
      trimLogFile(ctx.paths.logFile);
    } catch (err) {
      warn(`could not trim ${ctx.paths.logFile}: ${errorMessage(err)}`);
    }
    await target.close();
    await lock.release();
  }
}

/**
 * The recorders outside the organisation every run also asks for (config add-recorder). An entry
 * that is not an address (config.json edited by hand) is left out with a warning: the hourly job
 * must not fail for it.
 */
function recordersFor(ctx: SyncJobContext): string[] {
  const { recorders, invalid } = configuredRecorders(readConfig(ctx.paths.configFile).recorders);
  for (const entry of invalid) {
    ctx.output.warn(`recorders in ${ctx.paths.configFile}: "${entry}" is not an email address; left out (fathom-sync config remove-recorder "${entry}")`);
  }
  return recorders;
}

/** The window of this run, from the mode, the bookmark and meetings still waiting for their summary. */
async function planFor(store: SyncTarget, mode: ModeRequest, now: number): Promise<SyncWindow> {
  const { bookmark } = await store.state();
  const incomplete = await store.oldestIncompleteSince(toIso(incompleteRecheckFrom(now)), { tries: CONTENT_RETRY_TRIES, retryCutoff: toIso(contentRetryCutoff(now)) });
  return planWindow(mode, {
    now,
    bookmark: bookmark ? Date.parse(bookmark) : null,
    oldestIncomplete: incomplete ? Date.parse(incomplete) : null,
  });
}
