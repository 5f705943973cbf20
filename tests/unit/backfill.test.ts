import { describe, expect, it } from 'vitest';
import { afterCompleteWindow, applyBackfillChange, registerBackfill, tracksBackfill } from '../../src/domain/backfill.js';
import { resumeWindow, RESUME_PAGES_PER_RUN } from '../../src/domain/window.js';

const D = (day: string) => `2026-${day}T00:00:00Z`;

describe('pending backfill', () => {
  it('a backfill registers its whole stretch; merged with what was pending, the gap holds both', () => {
    expect(registerBackfill(null, { from: null, before: D('06-01') })).toEqual({ from: null, before: D('06-01') });
    // A narrower backfill later: the older start stays, the newer top wins.
    expect(registerBackfill({ from: null, before: D('03-01') }, { from: D('01-01'), before: D('08-01') })).toEqual({ from: null, before: D('08-01') });
    // A wider one: its start wins.
    expect(registerBackfill({ from: D('04-01'), before: D('06-01') }, { from: D('01-01'), before: D('05-01') })).toEqual({ from: D('01-01'), before: D('06-01') });
  });

  it('only slices read to their end move it, from the top down, in the order a page commits them', () => {
    const gap = applyBackfillChange(null, { register: { from: null, before: D('11-20') } });
    // The first slice of --all (open at the top) completes: everything from its start up is read.
    const afterFirst = applyBackfillChange(gap, { completed: { start: D('10-21'), end: null } });
    expect(afterFirst).toEqual({ from: null, before: D('10-21') });
    expect(applyBackfillChange(afterFirst, { completed: { start: D('08-01'), end: D('10-21') } })).toEqual({ from: null, before: D('08-01') });
    // The last slice, open-ended at the bottom: nothing left.
    expect(applyBackfillChange(afterFirst, { completed: { start: null, end: D('10-21') } })).toBeNull();
  });

  it('a window read to its end clears what it covered, and only that', () => {
    const gap = { from: D('01-01'), before: D('06-01') };
    expect(afterCompleteWindow(null, { start: null, end: null })).toBeNull();
    expect(afterCompleteWindow(gap, { start: null, end: null })).toBeNull(); // --all done
    expect(afterCompleteWindow(gap, { start: D('01-01'), end: D('06-01') })).toBeNull(); // the resumed slice reached the start
    expect(afterCompleteWindow(gap, { start: D('03-01'), end: null })).toEqual({ from: D('01-01'), before: D('03-01') }); // top part covered
    expect(afterCompleteWindow(gap, { start: D('10-01'), end: null })).toBe(gap); // a recent window: untouched
    expect(afterCompleteWindow(gap, { start: D('01-01'), end: D('04-01') })).toBe(gap); // stops below the top: a hole would remain
    expect(afterCompleteWindow({ from: null, before: D('06-01') }, { start: D('01-01'), end: null })).toEqual({ from: null, before: D('01-01') });
  });

  it('compares instants, not text: 10:00:00.500Z is after 10:00:00Z', () => {
    expect(registerBackfill({ from: null, before: '2026-03-01T10:00:00Z' }, { from: null, before: '2026-03-01T10:00:00.500Z' })).toEqual({ from: null, before: '2026-03-01T10:00:00.500Z' });
    expect(afterCompleteWindow({ from: null, before: '2026-03-01T10:00:00.500Z' }, { start: '2026-03-01T10:00:00Z', end: null })).toEqual({ from: null, before: '2026-03-01T10:00:00Z' });
  });

  it('only windows read down from the present register a gap (a resumed one is pending already)', () => {
    const w = (mode: 'all' | 'range' | 'quick' | 'incremental' | 'last' | 'resume', end: number | null) => ({ mode, requestedMode: mode, start: null, end, limit: null });
    expect(tracksBackfill(w('all', null))).toBe(true);
    expect(tracksBackfill(w('range', null))).toBe(true); // --since alone
    // --since --until: nothing above --until was read, so "everything newer than before is stored" would be false.
    expect(tracksBackfill(w('range', Date.parse(D('02-28'))))).toBe(false);
    expect(tracksBackfill(w('resume', Date.parse(D('02-28'))))).toBe(false);
    expect(tracksBackfill(w('quick', null))).toBe(false);
    expect(tracksBackfill(w('incremental', null))).toBe(false);
    expect(tracksBackfill(w('last', null))).toBe(false);
  });

  it('resumes newest first, a bounded slice per run', () => {
    expect(resumeWindow({ from: null, before: D('06-01') })).toEqual({
      mode: 'resume',
      requestedMode: 'incremental',
      start: null,
      end: Date.parse(D('06-01')),
      limit: null,
      maxPages: RESUME_PAGES_PER_RUN,
    });
  });
});
