import { describe, expect, it } from 'vitest';
import { canonicalTime, canonicalTimeOrNull, toIso } from '../../src/domain/time.js';

describe('canonical times', () => {
  it('toIso always writes milliseconds, so text order is time order', () => {
    expect(toIso(Date.parse('2026-03-01T10:00:05Z'))).toBe('2026-03-01T10:00:05.000Z');
    expect(toIso(Date.parse('2026-03-01T10:00:05.5Z'))).toBe('2026-03-01T10:00:05.500Z');
    expect(toIso(Date.parse('2026-03-01T10:00:05Z')) < toIso(Date.parse('2026-03-01T10:00:05.5Z'))).toBe(true);
  });

  it.each([
    ['2025-06-30T20:02:32.054830Z', '2025-06-30T20:02:32.054Z'], // Fathom's microseconds
    ['2026-03-01T10:00:05Z', '2026-03-01T10:00:05.000Z'],
    ['2026-03-01T10:00:05.1Z', '2026-03-01T10:00:05.100Z'],
    ['2026-03-01T10:00:05.123Z', '2026-03-01T10:00:05.123Z'],
    ['2026-03-01t10:00:05z', '2026-03-01T10:00:05.000Z'],
    ['2026-03-01T12:00:05+02:00', '2026-03-01T10:00:05.000Z'],
    ['2026-03-01T12:00:05+0200', '2026-03-01T10:00:05.000Z'],
    ['2026-03-01 10:00:05Z', '2026-03-01T10:00:05.000Z'],
    ['2026-03-01T10:00', '2026-03-01T10:00:00.000Z'], // no zone: UTC
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
  ])('%s -> %s', (text, canonical) => {
    expect(canonicalTime(text)).toBe(canonical);
  });

  it.each(['', 'x', 'yesterday', '2026-02-30T00:00:00Z', '00:10:45', 'Tue, 01 Mar 2026 10:00:05 GMT'])('leaves %j as it was', (text) => {
    expect(canonicalTime(text)).toBe(text);
  });

  it('keeps an empty column empty', () => {
    expect(canonicalTimeOrNull(null)).toBeNull();
    expect(canonicalTimeOrNull(undefined)).toBeNull();
  });
});
