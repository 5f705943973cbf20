import type { FathomClient, MeetingQuery } from '../api/client.js';
import type { ValidatedPage } from '../api/schemas.js';
import type { SyncFilters } from '../domain/filters.js';
import type { Slice } from '../domain/slices.js';

/**
 * The pages of GET /meetings for one query, in the order Fathom sends them, as an async
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

/** GET /meetings for a slice: its edges widened a second, the filters, and what to include. */
export function meetingQueryFor(slice: Slice, filters: SyncFilters, options: { withContent: boolean }): MeetingQuery {
  return {
    ...filters,
    createdAfter: slice.start === null ? undefined : queryTime(slice.start - EDGE_MS),
    createdBefore: slice.end === null ? undefined : queryTime(slice.end + EDGE_MS),
    include: { actionItems: true, highlights: true, crmMatches: true, summary: options.withContent, transcript: options.withContent },
  };
}

/**
 * Every query a slice is read with: the run's own, and, when recorders outside the organisation
 * are configured, the same again naming them in recorded_by[] (Fathom leaves their calls out of a
 * listing without it). A run filtered by --recorded-by has chosen its recorders: one query.
 */
export function sliceQueries(slice: Slice, filters: SyncFilters, recorders: readonly string[], options: { withContent: boolean }): MeetingQuery[] {
  const own = meetingQueryFor(slice, filters, options);
  if (recorders.length === 0 || filters.recordedBy?.length) return [own];
  return [own, { ...own, recordedBy: [...recorders] }];
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
