/**
 * A backfill (--all, --since) that stops part way (Ctrl-C, kill -9, a laptop lid, a network
 * that gave up) leaves a stretch of the past that may be missing. It is remembered as one
 * pending stretch, and incremental runs (the hourly job) read it a slice at a time until it is
 * gone. Pure functions over ISO-8601 UTC strings, compared as instants (".5Z" and "Z" forms do
 * not sort as text), so each rule is unit-tested without a database.
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
