/**
 * A backfill (--all, --since) that stops part way (Ctrl-C, kill -9, a laptop lid, a network
 * that gave up) leaves a stretch of the past that may be missing. It is remembered as one
 * pending stretch, and incremental runs (the hourly job) read it a slice at a time until it is
 * gone. Pure functions over ISO-8601 UTC strings, compared as instants (so a time written before
 * the canonical form, "...:05Z" beside "...:05.500Z", still compares right), each unit-tested
 * without a database.
 */

import type { SyncWindow } from './window.js';
import { toIso } from './time.js';

/** created_at from `from` (null: the very beginning) up to `before` may be missing. */
export interface PendingBackfill {
  from: string | null;
  before: string;
}

const before = (a: string, b: string): boolean => Date.parse(a) < Date.parse(b);

/** The older of two starts; null (the beginning) is older than any date. */
function olderStart(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return null;
  return before(a, b) ? a : b;
}

/**
 * A backfill committed a page: everything from `read.before` up to the present is stored, and
 * `read.from` is where it meant to go. Merged with what was already pending, the gap is the
 * union: from the older start to the older `before` (re-reading a little is harmless; a hole is not).
 */
export function afterBackfillPage(pending: PendingBackfill | null, read: PendingBackfill): PendingBackfill {
  if (!pending) return read;
  return { from: olderStart(pending.from, read.from), before: before(pending.before, read.before) ? pending.before : read.before };
}

/** A window was read to its end: the part of the pending stretch it covered is no longer missing. */
export function afterCompleteWindow(pending: PendingBackfill | null, window: { start: string | null; end: string | null }): PendingBackfill | null {
  if (!pending) return null;
  // A window that stops short of the top of the gap leaves a hole above it: keep it all.
  if (window.end !== null && before(window.end, pending.before)) return pending;
  if (window.start === null || (pending.from !== null && !before(pending.from, window.start))) return null;
  if (before(window.start, pending.before)) return { from: pending.from, before: window.start };
  return pending;
}

/**
 * Windows that, stopped part way, leave a backfill pending: those read down from the present
 * (--all, --since without --until) and resumed slices (everything above a slice is already
 * stored). A gap records "everything newer than `before` is stored"; a --since/--until window
 * cannot say that of the stretch above its --until, so it is not tracked (run it again instead).
 */
export function tracksBackfill(window: SyncWindow): boolean {
  return window.mode === 'resume' || ((window.mode === 'all' || window.mode === 'range') && window.end === null);
}

/** How a committed page changes the pending backfill: a backfill's progress, or a window read to its end. */
export type BackfillChange = { read: PendingBackfill } | { completed: { start: string | null; end: string | null } };

/**
 * The change a page makes: a backfill that is not done yet has read everything from its oldest
 * meeting up; any window read to its end covers its stretch. Filtered runs and --last N cover
 * only part of each stretch, so they change nothing.
 */
export function backfillChange(args: {
  window: SyncWindow;
  /** Where the window ends (its end, or "now" for an open one). */
  windowEnd: number;
  filtered: boolean;
  done: boolean;
  /** created_at of the oldest meeting read so far, page included. */
  oldest: number | null;
}): BackfillChange | null {
  const { window } = args;
  if (args.filtered || window.limit !== null) return null;
  const start = window.start === null ? null : toIso(window.start);
  if (args.done) return { completed: { start, end: window.end === null ? null : toIso(args.windowEnd) } };
  if (!tracksBackfill(window) || args.oldest === null) return null;
  return { read: { from: start, before: toIso(args.oldest) } };
}

/** The pending backfill after a committed page made `change`. */
export function applyBackfillChange(pending: PendingBackfill | null, change: BackfillChange): PendingBackfill | null {
  return 'read' in change ? afterBackfillPage(pending, change.read) : afterCompleteWindow(pending, change.completed);
}
