import { inSlice, NO_PROGRESS_PAGES, type Slice } from './slices.js';

/**
 * What one page of GET /meetings means for the slice being read. A pure function of the slice,
 * what this query has sent so far and the page, unit-tested without a server or a database.
 *
 * It trusts nothing of the order of pages: a slice is done only at its last page (next_cursor
 * null), whatever the meetings on the pages before. Meetings outside the slice (a server that
 * ignores the filters, or the second either side the query is widened by) are left out; a query
 * whose pages keep bringing nothing inside the slice that it had not sent already is ignoring the
 * filters or the cursor, and after NO_PROGRESS_PAGES such pages in a row the run stops.
 */

/** A listed meeting: anything that carries Fathom's created_at and recording_id. */
export interface ListedMeeting {
  meeting: { created_at: string; recording_id: number };
}

/** What this query sent before this page. */
export interface QuerySoFar {
  /** recording_ids of the meetings inside the slice this query has sent. */
  seen: ReadonlySet<number>;
  /** Pages in a row, up to the last one, that brought nothing new inside the slice. */
  noProgressPages: number;
}

export interface PageDecision<T> {
  /** The page's meetings inside the slice that this query had not sent before, in page order. */
  inSlice: T[];
  /** Meetings left out for being outside the slice. */
  outside: number;
  /** Pages in a row, this one included, that brought nothing new inside the slice. */
  noProgressPages: number;
  /** The query is read to its end: no page after this one. */
  done: boolean;
  /** Pages keep coming with nothing new inside the slice: the server ignores the filters. */
  ignoresFilters: boolean;
}

const createdAt = (m: ListedMeeting): number => Date.parse(m.meeting.created_at);

export function decidePage<T extends ListedMeeting>(slice: Slice, soFar: QuerySoFar, page: { meetings: T[]; nextCursor: string | null }): PageDecision<T> {
  const inside = page.meetings.filter((m) => inSlice(createdAt(m), slice));
  const fresh: T[] = [];
  const ids = new Set<number>();
  for (const m of inside) {
    const id = m.meeting.recording_id;
    if (soFar.seen.has(id) || ids.has(id)) continue;
    ids.add(id);
    fresh.push(m);
  }
  const noProgressPages = fresh.length > 0 ? 0 : soFar.noProgressPages + 1;
  const done = page.nextCursor === null;
  return {
    inSlice: fresh,
    outside: page.meetings.length - inside.length,
    noProgressPages,
    done,
    ignoresFilters: !done && noProgressPages >= NO_PROGRESS_PAGES,
  };
}
