import { DAY_MS } from './time.js';

/**
 * Time slices: how a run reads Fathom without trusting the order of its pages. Fathom promises no
 * order across pages (a real cursor walks one source after another, notes §5), so the only thing a
 * client can know is that a created_after / created_before window read to its last page holds every
 * meeting of that window. A backfill (--all, --since), a resumed backfill and --last N therefore
 * read their window as slices, newest first, each read to its last page; a slice is sized from the
 * density of the one before (the meetings it held for its span), so empty years cost a few
 * requests, not one a month. Pure functions, unit-tested without a server.
 */

/** A slice of created_at, both ends inclusive (ms). start null: from the beginning; end null: up to now and after. */
export interface Slice {
  start: number | null;
  end: number | null;
}

/** The pages a backfill slice is sized to hold. */
export const SLICE_PAGES = 20;
/** The first slice of a backfill when nothing tells the density. */
export const FIRST_SLICE_MS = 30 * DAY_MS;
/** The first window of --last N when nothing tells the density. */
export const FIRST_LAST_WINDOW_MS = 7 * DAY_MS;
/** A slice is at most this many times longer or shorter than the one before. */
export const SLICE_GROWTH = 4;
export const MIN_SLICE_MS = 60 * 60 * 1000;
/**
 * Before Fathom existed: a walk towards the beginning whose next slice would start earlier makes it
 * the last one, open-ended (created_before only), so whatever is older is read too.
 */
export const SLICE_FLOOR = Date.parse('2015-01-01T00:00:00.000Z');
/** What a page holds until a page says otherwise (Fathom's pages hold 10). */
export const DEFAULT_PAGE_SIZE = 10;
/**
 * Pages in a row of one query that bring no meeting inside the slice that it had not sent before:
 * a server that pages on like this ignores the time filters (or the cursor), and the run stops.
 */
export const NO_PROGRESS_PAGES = 20;

/** How long the next slice is: the last one's length scaled to hold `wanted` meetings, within SLICE_GROWTH either way. */
export function nextSpan(last: { spanMs: number; meetings: number }, wanted: number): number {
  const ratio = last.meetings === 0 ? SLICE_GROWTH : Math.min(SLICE_GROWTH, Math.max(1 / SLICE_GROWTH, wanted / last.meetings));
  return Math.max(MIN_SLICE_MS, Math.round(last.spanMs * ratio));
}

/**
 * A slice of `spanMs` below `upper`, halved while the meetings already stored there exceed `wanted`:
 * there are at least that many, so a stretch synced before, or one an interrupted slice left half
 * read, says how dense it is. (A resumed backfill whose slice did not fit its page budget therefore
 * asks for a smaller one next time, never the same one again.)
 */
export async function fitSpan(args: { upper: number; spanMs: number; wanted: number; storedBetween: (from: number, to: number) => number | Promise<number> }): Promise<number> {
  let span = args.spanMs;
  while (span > MIN_SLICE_MS && (await args.storedBetween(args.upper - span, args.upper)) > args.wanted) span = Math.max(MIN_SLICE_MS, Math.floor(span / 2));
  return span;
}

/**
 * The start of the slice of length `spanMs` below `upper`, in a window that starts at `bottom`
 * (null: the beginning): the window's start when the slice would reach past it, and null (the
 * beginning) when it would reach past SLICE_FLOOR in a window without a start.
 */
export function sliceStart(upper: number, bottom: number | null, spanMs: number): number | null {
  const start = upper - spanMs;
  if (bottom !== null) return start <= bottom ? bottom : start;
  return start < SLICE_FLOOR ? null : start;
}

/** Whether a meeting created at `t` is inside the slice. */
export function inSlice(t: number, slice: Slice): boolean {
  return (slice.start === null || t >= slice.start) && (slice.end === null || t <= slice.end);
}

/** The page size to plan with: the most a page has held (or announced as its limit) so far. */
export function pageSizeSeen(before: number | null, page: { items: number; limit: number | null }): number {
  return Math.max(before ?? 0, page.items, page.limit ?? 0) || DEFAULT_PAGE_SIZE;
}

/** Meetings sorted newest first: created_at, then recording_id (both descending). */
export function newestFirst(a: { createdAt: number; id: number }, b: { createdAt: number; id: number }): number {
  return b.createdAt - a.createdAt || b.id - a.id;
}

/** created_at (ms) and recording_id of a listed meeting, for sorting. */
const key = (m: { meeting: { created_at: string; recording_id: number } }) => ({ createdAt: Date.parse(m.meeting.created_at), id: m.meeting.recording_id });

/**
 * --last N: the `room` newest of what was kept and what came, newest first. Every window after
 * the one being read is older, so nothing dropped here can be among the N newest.
 */
export function keepNewest<T extends { meeting: { created_at: string; recording_id: number } }>(kept: readonly T[], incoming: readonly T[], room: number): T[] {
  if (room <= 0) return [];
  return [...kept, ...incoming].sort((a, b) => newestFirst(key(a), key(b))).slice(0, room);
}
