import { bookmarkAfter, type SyncWindow } from './window.js';
import { backfillChange, type BackfillChange } from './backfill.js';
import type { RunCounters } from './counters.js';

/**
 * What one page of GET /meetings means for the window being read: which of its meetings belong
 * to it, whether the window is done, and how the bookmark and a pending backfill move once the
 * page is committed. A pure function of the window, what was read so far and the page, so every
 * rule is unit-tested without a server or a database.
 *
 * It trusts Fathom's newest-first order across pages, as fathom-sync always has: a meeting older
 * than the window's start ends the window, and --last N ends at the Nth meeting.
 */

/** A listed meeting: anything that carries Fathom's created_at. */
export interface ListedMeeting {
  meeting: { created_at: string };
}

/** The window being read, as it stood when the run started. */
export interface WindowRead {
  window: SyncWindow;
  /** A filtered run (filters change nothing of the bookmark or a backfill). */
  filtered: boolean;
  /** The bookmark when the run started (ms), null when there is none. */
  bookmark: number | null;
  /** Signpost: "now" for this run, fixed at its start. */
  now: number;
}

/** What was read before this page. */
export interface ReadSoFar {
  counters: Pick<RunCounters, 'pages' | 'meetingsSeen'>;
  /** created_at of the oldest meeting accepted so far (ms). */
  oldest: number | null;
}

export interface PageDecision<T> {
  /** The page's meetings that belong to the window, in page order. */
  accepted: T[];
  /** The window is read to its end: no page after this one is wanted. */
  done: boolean;
  /** A resumed backfill's slice is full: the rest waits for the next run. */
  sliceFull: boolean;
  /** Whether the page after this one is wanted. */
  readNext: boolean;
  /** created_at of the oldest meeting accepted so far, this page included. */
  oldest: number | null;
  /** Where the bookmark moves when this page is committed (ms), or null. */
  bookmark: number | null;
  /** How this page changes a pending backfill, or null. */
  backfill: BackfillChange | null;
  /** Share of the window covered once this page is in, 0..1, when it can be told. */
  fraction: number | null;
}

const createdAt = (m: ListedMeeting): number => Date.parse(m.meeting.created_at);

export function decidePage<T extends ListedMeeting>(read: WindowRead, soFar: ReadSoFar, page: { meetings: T[]; nextCursor: string | null }): PageDecision<T> {
  const { window } = read;
  const windowEnd = window.end ?? read.now;
  let accepted = page.meetings.filter((m) => inWindow(createdAt(m), window));
  let done = page.nextCursor === null;
  if (window.limit !== null) {
    const room = window.limit - soFar.counters.meetingsSeen;
    if (accepted.length >= room) {
      accepted = accepted.slice(0, room);
      done = true;
    }
  }
  // Pages run newest first: anything older than the window means the rest is too.
  if (window.start !== null && page.meetings.some((m) => createdAt(m) < window.start!)) done = true;
  const sliceFull = !done && window.maxPages !== undefined && soFar.counters.pages + 1 >= window.maxPages;

  let oldest = soFar.oldest;
  for (const m of accepted) {
    const t = createdAt(m);
    if (oldest === null || t < oldest) oldest = t;
  }
  let bookmark: number | null = null;
  if (done) {
    const seen = soFar.counters.meetingsSeen + accepted.length;
    // --last N is sure of everything from its oldest meeting up; any other window of its start.
    const coveredFrom = window.limit !== null && seen >= window.limit ? oldest : window.start;
    bookmark = bookmarkAfter({ window, filtered: read.filtered, bookmark: read.bookmark, coveredFrom, now: read.now });
  }
  return {
    accepted,
    done,
    sliceFull,
    readNext: !done && !sliceFull,
    oldest,
    bookmark,
    backfill: backfillChange({ window, windowEnd, filtered: read.filtered, done, oldest }),
    fraction: done ? 1 : coverage(window, windowEnd, oldest),
  };
}

function inWindow(t: number, w: SyncWindow): boolean {
  return (w.start === null || t >= w.start) && (w.end === null || t <= w.end);
}

function coverage(w: SyncWindow, end: number, oldest: number | null): number | null {
  if (w.start === null || oldest === null) return null;
  const span = end - w.start;
  return span > 0 ? Math.min(1, Math.max(0, (end - oldest) / span)) : null;
}
