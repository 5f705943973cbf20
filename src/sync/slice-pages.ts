import type { FathomClient } from '../api/client.js';
import type { ListedMeeting } from '../api/recording-content.js';
import type { SkippedItem } from '../api/schemas.js';
import { ApiError } from '../core/errors.js';
import type { SyncFilters } from '../domain/filters.js';
import { decidePage } from '../domain/page-decision.js';
import { NO_PROGRESS_PAGES, pageSizeSeen, type Slice } from '../domain/slices.js';
import { toIso } from '../domain/time.js';
import { meetingPages, sliceQueries } from './page-source.js';

/**
 * The pages of one slice: every query of it (the run's filters; then, when recorders are named in
 * the configuration, the same with recorded_by[] for them) read to its last page, as an async
 * iterator the sync commits page by page. Each page carries the meetings inside the slice that
 * this run has not had yet (a meeting listed by both queries, or on both sides of a slice edge,
 * is written once), and the items it skipped that the run has not reported yet.
 */

/** A server that pages on with nothing new inside the slice: it ignores the filters (or the cursor). */
export class FiltersIgnoredError extends ApiError {
  constructor(slice: Slice) {
    const range = `${slice.start === null ? 'the beginning' : toIso(slice.start)} to ${slice.end === null ? 'now' : toIso(slice.end)}`;
    super(
      `Fathom sent ${NO_PROGRESS_PAGES} pages in a row with no meeting created from ${range} that it had not sent already, though every request asked for that range (created_after/created_before): the server is not applying the filters, so this run cannot know when it has every meeting; stopped, the pages written are kept`,
      200,
      'check that FATHOM_API_URL (if set) points at Fathom (https://api.fathom.ai/external/v1); if it does, run again later, and report it if it goes on',
    );
  }
}

export interface SlicePage {
  /** Meetings inside the slice this run had not had yet, in page order. */
  meetings: ListedMeeting[];
  skipped: SkippedItem[];
  /** This page ends the slice: every query is read to its last page. */
  sliceDone: boolean;
}

/** What every slice of a run is read with. */
export interface SliceSource {
  client: FathomClient;
  filters: SyncFilters;
  /** Recorders outside the organisation (config add-recorder), asked for with recorded_by[] as well. */
  recorders: readonly string[];
  /** Summary and transcript come per recording (OAuth): the list is asked without them, and never ahead. */
  perRecording: boolean;
  signal?: AbortSignal;
  /** recording_ids this run has had, in any slice. */
  readonly runSeen: Set<number>;
  /** Items this run has reported as skipped (recording_id and reason): a server that ignores the filters sends them to every slice. */
  readonly runSkipped: Set<string>;
  /** The most meetings a page has held so far (null before the first page). */
  pageSize: number | null;
}

export async function* slicePages(src: SliceSource, slice: Slice): AsyncGenerator<SlicePage> {
  const queries = sliceQueries(slice, src.filters, src.recorders, { withContent: !src.perRecording });
  for (const [q, query] of queries.entries()) {
    const pages = meetingPages(src.client, query, { readAhead: !src.perRecording, ...(src.signal ? { signal: src.signal } : {}) });
    const seen = new Set<number>();
    let noProgressPages = 0;
    for await (const page of pages) {
      const decision = decidePage(slice, { seen, noProgressPages }, page);
      if (decision.ignoresFilters) throw new FiltersIgnoredError(slice);
      if (!decision.done) pages.readAhead();
      noProgressPages = decision.noProgressPages;
      src.pageSize = pageSizeSeen(src.pageSize, { items: page.meetings.length + page.skipped.length, limit: page.limit });
      const meetings: ListedMeeting[] = [];
      for (const m of decision.inSlice) {
        const id = m.meeting.recording_id;
        seen.add(id);
        if (src.runSeen.has(id)) continue;
        src.runSeen.add(id);
        meetings.push(m);
      }
      const skipped = page.skipped.filter((item) => {
        const key = `${item.recordingId}\u0000${item.reason}`;
        if (src.runSkipped.has(key)) return false;
        src.runSkipped.add(key);
        return true;
      });
      yield { meetings, skipped, sliceDone: decision.done && q === queries.length - 1 };
    }
  }
}
