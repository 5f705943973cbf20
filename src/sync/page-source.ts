import type { FathomClient, MeetingQuery } from '../api/client.js';
import type { ValidatedPage } from '../api/schemas.js';
import type { SyncFilters } from '../domain/filters.js';
import type { SyncWindow } from '../domain/window.js';

/**
 * The pages of GET /meetings for one window, in the order Fathom sends them, as an async
 * iterator. The reader decides after each page whether it wants the next one; when it says so
 * early (readAhead), the next page is requested while the current one is being written.
 */
export interface MeetingPages extends AsyncIterable<ValidatedPage> {
  /** The page just read is not the last one wanted: start fetching the next one now. */
  readAhead(): void;
}

/** A second either side: Fathom does not document whether created_after/before are inclusive. */
const EDGE_MS = 1000;

/**
 * A query parameter time. Sent to Fathom, never stored: whole seconds without ".000", as its
 * documentation writes them (what fathom-sync has always sent).
 */
const queryTime = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/** GET /meetings for a window: its edges widened a second, the filters, and what to include. */
export function meetingQueryFor(window: SyncWindow, filters: SyncFilters, options: { withContent: boolean }): MeetingQuery {
  return {
    ...filters,
    createdAfter: window.start === null ? undefined : queryTime(window.start - EDGE_MS),
    createdBefore: window.end === null ? undefined : queryTime(window.end + EDGE_MS),
    include: { actionItems: true, highlights: true, crmMatches: true, summary: options.withContent, transcript: options.withContent },
  };
}

/**
 * `readAhead: false` never fetches ahead: under OAuth each page is followed by heavy per-recording
 * calls that share the rate budget, and a list request waiting behind them gains nothing.
 */
export function meetingPages(client: FathomClient, query: MeetingQuery, options: { readAhead: boolean; signal?: AbortSignal }): MeetingPages {
  const pager = client.meetingPager(query, options.signal);
  let ahead: Promise<ValidatedPage> | null = null;
  /** The cursor of the page after the last one read; null when that was the last page. */
  let nextCursor: string | null = null;
  let started = false;
  return {
    readAhead() {
      if (!options.readAhead || ahead || !started || nextCursor === null) return;
      ahead = pager.fetch(nextCursor);
      ahead.catch(() => {}); // its failure is reported where it is awaited
    },
    async *[Symbol.asyncIterator]() {
      while (!started || nextCursor !== null) {
        const pending = ahead ?? pager.fetch(started ? nextCursor : null);
        ahead = null;
        started = true;
        const page = await pending;
        nextCursor = page.nextCursor;
        yield page;
      }
    },
  };
}
