import { describe, expect, it } from 'vitest';
import { bookmarkAfter, planWindow } from '../../src/domain/window.js';
import { DAY_MS } from '../../src/domain/time.js';
import { parseDateArg, parsePositiveInt } from '../../src/domain/user-input.js';
import { UsageError } from '../../src/core/errors.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');

describe('parseDateArg', () => {
  it('reads a date alone as a whole UTC day', () => {
    expect(parseDateArg('2026-03-01', 'since')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(parseDateArg('2026-03-01', 'until')).toBe(Date.parse('2026-03-02T00:00:00Z') - 1);
  });
  it('reads date-times, UTC when no zone is given', () => {
    expect(parseDateArg('2026-03-01T10:30:00Z', 'since')).toBe(Date.parse('2026-03-01T10:30:00Z'));
    expect(parseDateArg('2026-03-01T10:30', 'since')).toBe(Date.parse('2026-03-01T10:30:00Z'));
    expect(parseDateArg('2026-03-01T10:30:00+02:00', 'since')).toBe(Date.parse('2026-03-01T08:30:00Z'));
  });
  it.each(['yesterday', '2026-02-30', '2026-13-01', '', '03/01/2026', '2026-03-01T25:00', '2026-02-30T10:00:00Z', '2025-02-29 08:00'])('rejects %j', (v) => {
    expect(() => parseDateArg(v, 'since')).toThrow(UsageError);
  });
});

describe('parsePositiveInt', () => {
  it.each(['0', '-1', 'abc', '1.5', ''])('rejects %j', (v) => expect(() => parsePositiveInt(v, '--last')).toThrow(/--last/));
  it('accepts whole numbers', () => expect(parsePositiveInt('25', '--last')).toBe(25));
  it('allows zero where the minimum is zero', () => expect(parsePositiveInt('0', '--lookback', 0)).toBe(0));
});

describe('planWindow', () => {
  it('quick is the last 30 days', () => {
    expect(planWindow({ mode: 'quick' }, { now: NOW, bookmark: null })).toMatchObject({ start: NOW - 30 * DAY_MS, end: null, mode: 'quick' });
  });
  it('all and last have no start', () => {
    expect(planWindow({ mode: 'all' }, { now: NOW, bookmark: null })).toMatchObject({ start: null, end: null, limit: null });
    expect(planWindow({ mode: 'last', last: 5 }, { now: NOW, bookmark: null })).toMatchObject({ start: null, limit: 5 });
  });
  it('range refuses since after until', () => {
    expect(() => planWindow({ mode: 'range', since: NOW, until: NOW - 1 }, { now: NOW, bookmark: null })).toThrow(/after --until/);
    expect(planWindow({ mode: 'range', since: NOW - 10, until: NOW }, { now: NOW, bookmark: null })).toMatchObject({ start: NOW - 10, end: NOW });
  });
  it('incremental without a bookmark behaves as quick', () => {
    expect(planWindow({ mode: 'incremental' }, { now: NOW, bookmark: null })).toMatchObject({ mode: 'quick', requestedMode: 'incremental', start: NOW - 30 * DAY_MS });
  });
  it('incremental starts at the bookmark minus the lookback', () => {
    const bookmark = NOW - DAY_MS;
    expect(planWindow({ mode: 'incremental' }, { now: NOW, bookmark }).start).toBe(bookmark - 7 * DAY_MS);
    expect(planWindow({ mode: 'incremental', lookbackDays: 0 }, { now: NOW, bookmark }).start).toBe(bookmark);
  });
  it('incremental reaches back for meetings still missing their summary, at most 30 days', () => {
    const bookmark = NOW - DAY_MS;
    const incomplete = NOW - 12 * DAY_MS;
    expect(planWindow({ mode: 'incremental' }, { now: NOW, bookmark, oldestIncomplete: incomplete }).start).toBe(incomplete);
    expect(planWindow({ mode: 'incremental' }, { now: NOW, bookmark, oldestIncomplete: NOW - 90 * DAY_MS }).start).toBe(NOW - 30 * DAY_MS);
    expect(planWindow({ mode: 'incremental' }, { now: NOW, bookmark, oldestIncomplete: NOW - 2 * DAY_MS }).start).toBe(bookmark - 7 * DAY_MS);
  });
});

describe('bookmarkAfter', () => {
  const quick = planWindow({ mode: 'quick' }, { now: NOW, bookmark: null });
  it('an unfiltered window that reaches the bookmark moves it to its end', () => {
    expect(bookmarkAfter({ window: quick, filtered: false, bookmark: null, coveredFrom: quick.start, now: NOW })).toBe(NOW);
    expect(bookmarkAfter({ window: quick, filtered: false, bookmark: NOW - DAY_MS, coveredFrom: quick.start, now: NOW })).toBe(NOW);
  });
  it('a filtered run never moves it', () => {
    expect(bookmarkAfter({ window: quick, filtered: true, bookmark: null, coveredFrom: quick.start, now: NOW })).toBeNull();
  });
  it('a backfill that ends before the bookmark never moves it backwards', () => {
    const range = planWindow({ mode: 'range', since: NOW - 90 * DAY_MS, until: NOW - 60 * DAY_MS }, { now: NOW, bookmark: null });
    expect(bookmarkAfter({ window: range, filtered: false, bookmark: NOW - DAY_MS, coveredFrom: range.start, now: NOW })).toBeNull();
  });
  it('a window that leaves a gap after the bookmark does not move it', () => {
    const range = planWindow({ mode: 'range', since: NOW - 2 * DAY_MS }, { now: NOW, bookmark: null });
    expect(bookmarkAfter({ window: range, filtered: false, bookmark: NOW - 10 * DAY_MS, coveredFrom: range.start, now: NOW })).toBeNull();
  });
  it('a future --until stops at now', () => {
    const range = planWindow({ mode: 'range', since: NOW - 2 * DAY_MS, until: NOW + 5 * DAY_MS }, { now: NOW, bookmark: null });
    expect(bookmarkAfter({ window: range, filtered: false, bookmark: null, coveredFrom: range.start, now: NOW })).toBe(NOW);
  });
});
