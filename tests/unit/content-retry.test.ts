import { describe, expect, it } from 'vitest';
import { CONTENT_RETRY_TRIES, contentRetryCutoff, contentRetryDue } from '../../src/domain/content-retry.js';
import { DAY_MS, toIso } from '../../src/domain/time.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');

describe('contentRetryDue', () => {
  it('asks on each of the first 3 runs, then once a day', () => {
    expect(CONTENT_RETRY_TRIES).toBe(3);
    const at = (hoursAgo: number) => toIso(NOW - hoursAgo * 3600_000);
    expect(contentRetryDue({ attempts: 0, checkedAt: null }, NOW)).toBe(true);
    expect(contentRetryDue({ attempts: 2, checkedAt: at(1) }, NOW)).toBe(true);
    expect(contentRetryDue({ attempts: 3, checkedAt: at(1) }, NOW)).toBe(false);
    expect(contentRetryDue({ attempts: 3, checkedAt: at(23) }, NOW)).toBe(false);
    expect(contentRetryDue({ attempts: 3, checkedAt: at(24) }, NOW)).toBe(true);
    expect(contentRetryDue({ attempts: 40, checkedAt: null }, NOW)).toBe(true);
    expect(contentRetryCutoff(NOW)).toBe(NOW - DAY_MS);
  });
});
