import { describe, expect, it } from 'vitest';
import { decidePage } from '../../src/domain/page-decision.js';
import { NO_PROGRESS_PAGES } from '../../src/domain/slices.js';
import { DAY_MS, toIso } from '../../src/domain/time.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
/** A listed meeting created `days` before NOW. */
const m = (id: number, days: number) => ({ meeting: { recording_id: id, created_at: toIso(NOW - days * DAY_MS) } });
const fresh = { seen: new Set<number>(), noProgressPages: 0 };
const slice = { start: NOW - 30 * DAY_MS, end: NOW - 10 * DAY_MS };

describe('decidePage', () => {
  it('keeps the meetings inside the slice, in page order, whatever their order; the slice goes on until next_cursor is null', () => {
    const page = { meetings: [m(1, 12), m(2, 29), m(3, 5), m(4, 11), m(5, 40)], nextCursor: 'c2' };
    const d = decidePage(slice, fresh, page);
    expect(d.inSlice.map((x) => x.meeting.recording_id)).toEqual([1, 2, 4]);
    expect(d).toMatchObject({ outside: 2, done: false, noProgressPages: 0, ignoresFilters: false });
    // A meeting older than the slice is no reason to stop: pages follow no order.
    expect(decidePage(slice, fresh, { meetings: [m(5, 40)], nextCursor: 'c3' }).done).toBe(false);
    expect(decidePage(slice, fresh, { meetings: [], nextCursor: null }).done).toBe(true);
  });

  it('both edges are inside; an open slice has no end, one from the beginning no start', () => {
    const edges = { meetings: [m(1, 30), m(2, 10)], nextCursor: null };
    expect(decidePage(slice, fresh, edges).inSlice).toHaveLength(2);
    expect(decidePage({ start: null, end: NOW - 10 * DAY_MS }, fresh, { meetings: [m(1, 4000), m(2, 9)], nextCursor: null }).inSlice.map((x) => x.meeting.recording_id)).toEqual([1]);
    expect(decidePage({ start: NOW - DAY_MS, end: null }, fresh, { meetings: [m(1, -1), m(2, 2)], nextCursor: null }).inSlice.map((x) => x.meeting.recording_id)).toEqual([1]);
  });

  it('a meeting the query sent before (or twice on one page) is not new', () => {
    const d = decidePage(slice, { seen: new Set([1]), noProgressPages: 0 }, { meetings: [m(1, 12), m(2, 12), m(2, 12)], nextCursor: 'c' });
    expect(d.inSlice.map((x) => x.meeting.recording_id)).toEqual([2]);
  });

  it(`pages with nothing new inside the slice are counted; ${NO_PROGRESS_PAGES} in a row with more to come mean the server ignores the filters`, () => {
    const nothing = { meetings: [m(9, 400)], nextCursor: 'c' };
    expect(decidePage(slice, { seen: new Set(), noProgressPages: 3 }, nothing)).toMatchObject({ noProgressPages: 4, ignoresFilters: false });
    expect(decidePage(slice, { seen: new Set(), noProgressPages: NO_PROGRESS_PAGES - 2 }, nothing).ignoresFilters).toBe(false);
    expect(decidePage(slice, { seen: new Set(), noProgressPages: NO_PROGRESS_PAGES - 1 }, nothing).ignoresFilters).toBe(true);
    // Repeating what it sent is no progress either (a server that ignores the cursor).
    expect(decidePage(slice, { seen: new Set([1]), noProgressPages: NO_PROGRESS_PAGES - 1 }, { meetings: [m(1, 12)], nextCursor: 'c' }).ignoresFilters).toBe(true);
    // The last page ends the slice, whatever came before; a new meeting resets the count.
    expect(decidePage(slice, { seen: new Set(), noProgressPages: NO_PROGRESS_PAGES + 5 }, { meetings: [], nextCursor: null })).toMatchObject({ done: true, ignoresFilters: false });
    expect(decidePage(slice, { seen: new Set(), noProgressPages: NO_PROGRESS_PAGES - 1 }, { meetings: [m(1, 12)], nextCursor: 'c' })).toMatchObject({ noProgressPages: 0, ignoresFilters: false });
  });
});
