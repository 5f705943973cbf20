import { describe, expect, it } from 'vitest';
import { decidePage, type WindowRead } from '../../src/domain/page-decision.js';
import { planWindow, resumeWindow, type SyncWindow } from '../../src/domain/window.js';
import { DAY_MS, toIso } from '../../src/domain/time.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
/** A listed meeting created `days` before NOW. */
const m = (days: number) => ({ meeting: { created_at: toIso(NOW - days * DAY_MS) } });
const read = (window: SyncWindow, over: Partial<WindowRead> = {}): WindowRead => ({ window, filtered: false, bookmark: null, now: NOW, ...over });
const fresh = { counters: { pages: 0, meetingsSeen: 0 }, oldest: null };

describe('decidePage', () => {
  const quick = planWindow({ mode: 'quick' }, { now: NOW, bookmark: null });

  it('a page inside the window with more to come: every meeting, read on, nothing moves yet', () => {
    const page = { meetings: [m(1), m(2), m(3)], nextCursor: 'c2' };
    const d = decidePage(read(quick), fresh, page);
    expect(d).toMatchObject({ done: false, sliceFull: false, readNext: true, bookmark: null, backfill: null, oldest: NOW - 3 * DAY_MS });
    expect(d.accepted).toEqual(page.meetings);
    expect(d.fraction).toBeCloseTo(3 / 30);
  });

  it('a meeting older than the window ends it: the rest is left out, the bookmark moves to now', () => {
    const d = decidePage(read(quick), { counters: { pages: 2, meetingsSeen: 20 }, oldest: NOW - 20 * DAY_MS }, { meetings: [m(25), m(29), m(31), m(40)], nextCursor: 'c4' });
    expect(d.accepted.map((x) => x.meeting.created_at)).toEqual([toIso(NOW - 25 * DAY_MS), toIso(NOW - 29 * DAY_MS)]);
    expect(d).toMatchObject({ done: true, readNext: false, bookmark: NOW, fraction: 1, backfill: { completed: { start: toIso(quick.start!), end: null } } });
  });

  it('the last page ends any window', () => {
    const all = planWindow({ mode: 'all' }, { now: NOW, bookmark: null });
    expect(decidePage(read(all), fresh, { meetings: [m(400)], nextCursor: null })).toMatchObject({ done: true, readNext: false, backfill: { completed: { start: null, end: null } } });
  });

  it('--all part way: a pending backfill from the beginning to its oldest meeting, and no bookmark', () => {
    const all = planWindow({ mode: 'all' }, { now: NOW, bookmark: null });
    const d = decidePage(read(all), fresh, { meetings: [m(1), m(5)], nextCursor: 'c2' });
    expect(d).toMatchObject({ done: false, bookmark: null, fraction: null, backfill: { read: { from: null, before: toIso(NOW - 5 * DAY_MS) } } });
  });

  it('--last N stops at the Nth meeting and is sure only of what it took', () => {
    const last = planWindow({ mode: 'last', last: 12 }, { now: NOW, bookmark: null });
    const d = decidePage(read(last), { counters: { pages: 1, meetingsSeen: 10 }, oldest: NOW - 10 * DAY_MS }, { meetings: [m(11), m(12), m(13)], nextCursor: 'c3' });
    expect(d.accepted).toHaveLength(2);
    expect(d).toMatchObject({ done: true, readNext: false, oldest: NOW - 12 * DAY_MS, backfill: null });
    // No bookmark yet: covered from its oldest meeting up to now.
    expect(d.bookmark).toBe(NOW);
    // A bookmark older than what it took: a gap could remain below, so it stays put.
    expect(decidePage(read(last, { bookmark: NOW - 30 * DAY_MS }), { counters: { pages: 1, meetingsSeen: 10 }, oldest: null }, { meetings: [m(11), m(12)], nextCursor: 'c3' }).bookmark).toBeNull();
  });

  it('a resumed slice stops at its page budget, leaving the rest pending', () => {
    const slice = resumeWindow({ from: null, before: toIso(NOW - 100 * DAY_MS) });
    const d = decidePage(read(slice), { counters: { pages: slice.maxPages! - 1, meetingsSeen: 190 }, oldest: null }, { meetings: [m(101), m(102)], nextCursor: 'more' });
    expect(d).toMatchObject({ done: false, sliceFull: true, readNext: false, backfill: { read: { from: null, before: toIso(NOW - 102 * DAY_MS) } } });
  });

  it('a range leaves out meetings after --until', () => {
    const range = planWindow({ mode: 'range', since: NOW - 20 * DAY_MS, until: NOW - 10 * DAY_MS }, { now: NOW, bookmark: null });
    const d = decidePage(read(range), fresh, { meetings: [m(5), m(12), m(15)], nextCursor: 'c2' });
    expect(d.accepted.map((x) => x.meeting.created_at)).toEqual([toIso(NOW - 12 * DAY_MS), toIso(NOW - 15 * DAY_MS)]);
  });

  it('a filtered run moves neither the bookmark nor a backfill', () => {
    const all = planWindow({ mode: 'all' }, { now: NOW, bookmark: null });
    expect(decidePage(read(all, { filtered: true }), fresh, { meetings: [m(1)], nextCursor: 'c2' })).toMatchObject({ bookmark: null, backfill: null });
    expect(decidePage(read(quick, { filtered: true }), fresh, { meetings: [m(40)], nextCursor: null })).toMatchObject({ done: true, bookmark: null, backfill: null });
  });
});
