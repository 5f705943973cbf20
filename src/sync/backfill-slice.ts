import type { OutputHost } from '../core/output.js';
import { AuthRequiredError, InterruptedError, errorMessage } from '../core/errors.js';
import type { SyncTarget } from '../db/sync-target.js';
import type { PendingBackfill } from '../domain/backfill.js';
import { zeroCounters, type RunCounters } from '../domain/counters.js';
import { resumeWindow, type SyncWindow } from '../domain/window.js';
import type { WindowSyncResult } from './window-sync.js';

/** The part of an unfinished backfill an incremental run read after its own window (its "slice": whole time slices, within a page budget). */
export interface BackfillSliceResult {
  /** The slice's row in sync_runs (null when it failed). */
  runId: number | null;
  /** What the slice read (zero when it failed). */
  counters: RunCounters;
  /** Time slices of the backfill read to their end. */
  slices: number;
  /** What is still missing after this slice, or null when the backfill is done. */
  remaining: PendingBackfill | null;
  /** Why the slice failed (the run itself still succeeded), or null. */
  error: string | null;
}

/**
 * The hourly job also finishes, a slice per run, a backfill that stopped part way. Null when none
 * is pending. A slice that fails for the network or rate limits is tried again next hour and must
 * not turn the run, whose own window is synced, into a failure; the user's Ctrl-C and a credential
 * that stopped working still end it.
 */
export async function continueBackfill(
  store: Pick<SyncTarget, 'pendingBackfill'>,
  readWindow: (window: SyncWindow) => Promise<WindowSyncResult>,
  output: Pick<OutputHost, 'info' | 'warn'>,
): Promise<BackfillSliceResult | null> {
  const gap = await store.pendingBackfill();
  if (!gap) return null;
  output.info(`continuing an unfinished backfill: meetings from ${gap.from?.slice(0, 10) ?? 'the beginning'} to ${gap.before.slice(0, 10)}`);
  let slice: WindowSyncResult | null = null;
  let error: string | null = null;
  try {
    slice = await readWindow(resumeWindow(gap));
  } catch (err) {
    if (err instanceof InterruptedError || err instanceof AuthRequiredError) throw err;
    error = errorMessage(err);
    output.warn(`could not continue the unfinished backfill (${error}); the next incremental run tries again`);
  }
  return { runId: slice?.runId ?? null, counters: slice?.counters ?? zeroCounters(), slices: slice?.slices ?? 0, remaining: await store.pendingBackfill(), error };
}
