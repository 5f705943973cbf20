import { describe, expect, it } from 'vitest';
import { MIN_SLICE_MS, SLICE_FLOOR, SLICE_GROWTH, fitSpan, keepNewest, nextSpan, pageSizeSeen, sliceStart } from '../../src/domain/slices.js';
import { DAY_MS, toIso } from '../../src/domain/time.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');

describe('slice sizes', () => {
  it('the next slice is sized from the density of the last: the meetings wanted at that rate, within 4x either way', () => {
    expect(nextSpan({ spanMs: 30 * DAY_MS, meetings: 100 }, 200)).toBe(60 * DAY_MS);
    expect(nextSpan({ spanMs: 30 * DAY_MS, meetings: 400 }, 200)).toBe(15 * DAY_MS);
    expect(nextSpan({ spanMs: 30 * DAY_MS, meetings: 4000 }, 200)).toBe((30 / SLICE_GROWTH) * DAY_MS);
    expect(nextSpan({ spanMs: 30 * DAY_MS, meetings: 1 }, 200)).toBe(30 * SLICE_GROWTH * DAY_MS);
    expect(nextSpan({ spanMs: MIN_SLICE_MS, meetings: 1000 }, 1)).toBe(MIN_SLICE_MS);
  });

  it('empty slices grow fast: an empty decade costs a handful of requests, not one a month', () => {
    let span = 30 * DAY_MS;
    let upper: number | null = NOW;
    let requests = 0;
    while (upper !== null) {
      const start = sliceStart(upper, null, span);
      requests += 1;
      if (start === null) break;
      span = nextSpan({ spanMs: upper - start, meetings: 0 }, 200);
      upper = start;
    }
    expect(requests).toBeLessThanOrEqual(5);
  });

  it('a slice is halved while the meetings already stored in it are more than it should hold', async () => {
    const stored = (from: number, to: number) => Math.round((to - from) / DAY_MS) * 10; // 10 a day stored
    expect(await fitSpan({ upper: NOW, spanMs: 30 * DAY_MS, wanted: 120, storedBetween: stored })).toBe(7.5 * DAY_MS);
    expect(await fitSpan({ upper: NOW, spanMs: 30 * DAY_MS, wanted: 1000, storedBetween: stored })).toBe(30 * DAY_MS);
    expect(await fitSpan({ upper: NOW, spanMs: 30 * DAY_MS, wanted: 0, storedBetween: () => 5 })).toBe(MIN_SLICE_MS);
  });

  it('a slice stops at the window start; without one, it is open-ended once it would reach before Fathom existed', () => {
    expect(sliceStart(NOW, NOW - 10 * DAY_MS, 30 * DAY_MS)).toBe(NOW - 10 * DAY_MS);
    expect(sliceStart(NOW, NOW - 40 * DAY_MS, 30 * DAY_MS)).toBe(NOW - 30 * DAY_MS);
    expect(sliceStart(NOW, null, 30 * DAY_MS)).toBe(NOW - 30 * DAY_MS);
    expect(sliceStart(SLICE_FLOOR + DAY_MS, null, 2 * DAY_MS)).toBeNull();
  });

  it('plans with the largest page seen (or announced), 10 before any', () => {
    expect(pageSizeSeen(null, { items: 0, limit: null })).toBe(10);
    expect(pageSizeSeen(null, { items: 3, limit: null })).toBe(3);
    expect(pageSizeSeen(3, { items: 2, limit: 25 })).toBe(25);
  });
});

describe('keepNewest (--last N)', () => {
  const m = (id: number, days: number) => ({ meeting: { recording_id: id, created_at: toIso(NOW - days * DAY_MS) } });
  it('keeps the room newest of what it has and what came, newest first, ties by recording_id', () => {
    const kept = keepNewest([m(1, 5), m(2, 1)], [m(3, 3), m(4, 0.5), m(6, 3), m(5, 9)], 4);
    expect(kept.map((x) => x.meeting.recording_id)).toEqual([4, 2, 6, 3]);
    expect(keepNewest(kept, [m(7, 0)], 0)).toEqual([]);
  });
});
