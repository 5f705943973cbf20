import { UsageError } from '../core/errors.js';
import { DAY_MS, toIso } from './time.js';

/**
 * Which stretch of Fathom a run reads. Pure functions of the request, the bookmark and "now",
 * so every rule here is unit-tested without a clock or a server.
 */

export type SyncMode = 'quick' | 'all' | 'range' | 'last' | 'incremental' | 'resume';

export const QUICK_DAYS = 30;
export const DEFAULT_LOOKBACK_DAYS = 7;
/** An incremental run reaches back for meetings still waiting for their summary at most this far. */
export const INCOMPLETE_RECHECK_DAYS = 30;
/** Pages of an unfinished backfill an incremental run may read after its own window (~200 meetings), in whole time slices. */
export const RESUME_PAGES_PER_RUN = 20;

export interface ModeRequest {
  mode: SyncMode;
  since?: number;
  until?: number;
  last?: number;
  lookbackDays?: number;
}

export interface SyncWindow {
  mode: SyncMode;
  /** Requested mode; differs from `mode` when incremental had no bookmark and ran as quick. */
  requestedMode: SyncMode;
  /** Oldest created_at to include (ms, inclusive); null = from the beginning. */
  start: number | null;
  /** Newest created_at to include (ms, inclusive); null = up to now. */
  end: number | null;
  /** --last N: the N newest meetings of the window. */
  limit: number | null;
  /**
   * A resumed backfill's page budget: its time slices are sized to fit it, and one not read to its
   * end when the budget runs out stays pending for the next run.
   */
  maxPages?: number;
}

/** The oldest created_at an incremental run looks at again for a meeting still missing its summary. */
export function incompleteRecheckFrom(now: number): number {
  return now - INCOMPLETE_RECHECK_DAYS * DAY_MS;
}

/** The unfinished backfill, read by an incremental run newest first, in time slices within a page budget. */
export function resumeWindow(pending: { from: string | null; before: string }): SyncWindow {
  return {
    mode: 'resume',
    requestedMode: 'incremental',
    start: pending.from === null ? null : Date.parse(pending.from),
    end: Date.parse(pending.before),
    limit: null,
    maxPages: RESUME_PAGES_PER_RUN,
  };
}

export function planWindow(
  req: ModeRequest,
  ctx: { now: number; bookmark: number | null; oldestIncomplete?: number | null },
): SyncWindow {
  const base = { requestedMode: req.mode, limit: null };
  switch (req.mode) {
    case 'all':
      return { ...base, mode: 'all', start: null, end: null };
    case 'last':
      if (!req.last || req.last < 1) throw new UsageError('--last needs a number of at least 1');
      return { ...base, mode: 'last', start: null, end: null, limit: req.last };
    case 'range': {
      if (req.since === undefined) throw new UsageError('--until needs --since');
      if (req.until !== undefined && req.since > req.until) {
        throw new UsageError(`--since ${toIso(req.since)} is after --until ${toIso(req.until)}`);
      }
      return { ...base, mode: 'range', start: req.since, end: req.until ?? null };
    }
    case 'incremental': {
      if (ctx.bookmark === null) return { ...base, mode: 'quick', start: ctx.now - QUICK_DAYS * DAY_MS, end: null };
      const lookback = (req.lookbackDays ?? DEFAULT_LOOKBACK_DAYS) * DAY_MS;
      let start = Math.min(ctx.bookmark, ctx.now) - lookback;
      // Meetings listed before their summary was ready are read again until it is.
      if (ctx.oldestIncomplete != null) start = Math.min(start, Math.max(ctx.oldestIncomplete, incompleteRecheckFrom(ctx.now)));
      return { ...base, mode: 'incremental', start, end: null };
    }
    case 'quick':
    default:
      return { ...base, mode: 'quick', start: ctx.now - QUICK_DAYS * DAY_MS, end: null };
  }
}

/**
 * Where the bookmark may move after a window completes: only unfiltered runs that covered
 * everything from the bookmark (or the beginning) up to their end. Never backwards (the store
 * enforces that too). `coveredFrom` is the oldest created_at the run is sure it has: the window
 * start, or for --last N the oldest meeting it took.
 */
export function bookmarkAfter(args: {
  window: SyncWindow;
  filtered: boolean;
  bookmark: number | null;
  coveredFrom: number | null;
  now: number;
}): number | null {
  if (args.filtered) return null;
  const end = args.window.end === null ? args.now : Math.min(args.window.end, args.now);
  if (args.bookmark !== null && args.coveredFrom !== null && args.coveredFrom > args.bookmark) return null;
  if (args.bookmark !== null && end <= args.bookmark) return null;
  return end;
}
