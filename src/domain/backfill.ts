/**
 * A backfill (--all, --since) that stops part way (Ctrl-C, kill -9, a laptop lid, a network
 * that gave up) leaves a stretch of the past that may be missing. It is remembered as one
 * pending stretch, and incremental runs (the hourly job) read it a slice at a time until it is
 * gone. Fathom's pages come in no order a client can rely on (notes §5), so only a slice read to
 * its last page says anything: a backfill registers its whole stretch as pending before it has
 * written anything, and the stretch shrinks only by slices read to their end, from the top down.
 * Pure functions over ISO-8601 UTC strings, compared as instants (so a time written before the
 * canonical form, "...:05Z" beside "...:05.500Z", still compares right), each unit-tested
 * without a database.
 */

import type { SyncWindow } from './window.js';

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
 * A backfill starts (with its first page written): the stretch it means to read is pending until
 * its slices are read. Merged with what was pending already, the gap is the smallest stretch that
 * holds both (re-reading a little is harmless; a hole is not).
 */
export function registerBackfill(pending: PendingBackfill | null, stretch: PendingBackfill): PendingBackfill {
  if (!pending) return stretch;
  return { from: olderStart(pending.from, stretch.from), before: before(pending.before, stretch.before) ? stretch.before : pending.before };
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
 * (--all, --since without --until). A --since/--until window is not tracked (run it again instead);
 * a resumed backfill is pending already.
 */
export function tracksBackfill(window: SyncWindow): boolean {
  return (window.mode === 'all' || window.mode === 'range') && window.end === null;
}

/** How a committed page changes the pending backfill: a backfill starting, or a slice (or window) read to its end. */
export type BackfillChange = { register: PendingBackfill } | { completed: { start: string | null; end: string | null } };

/** The pending backfill after a committed page made `change`. */
export function applyBackfillChange(pending: PendingBackfill | null, change: BackfillChange): PendingBackfill | null {
  return 'register' in change ? registerBackfill(pending, change.register) : afterCompleteWindow(pending, change.completed);
}
