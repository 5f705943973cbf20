import { describe, expect, it } from 'vitest';
import type { FathomClient } from '../../src/api/client.js';
import type { ValidatedPage } from '../../src/api/schemas.js';
import { meetingPages, meetingQueryFor } from '../../src/sync/page-source.js';
import { planWindow } from '../../src/domain/window.js';

/** A client whose pager serves `count` pages and logs each request as it is made. */
function fakeClient(count: number) {
  const log: string[] = [];
  const page = (i: number): ValidatedPage => ({ meetings: [], skipped: [], nextCursor: i + 1 < count ? `c${i + 1}` : null, limit: 10 });
  const client = {
    meetingPager: () => ({
      fetch: async (cursor: string | null) => {
        log.push(`fetch ${cursor ?? 'first'}`);
        return page(cursor === null ? 0 : Number(cursor.slice(1)));
      },
    }),
  } as unknown as FathomClient;
  return { client, log };
}

/** Reads every page the way the sync does: wants the next one, then writes this one. */
async function readAll(pages: ReturnType<typeof meetingPages>, log: string[]): Promise<void> {
  for await (const page of pages) {
    log.push(`got ${page.nextCursor ?? 'last'}`);
    pages.readAhead();
    log.push('written');
  }
}

describe('meetingPages', () => {
  it('asks for the next page while the current one is handled, once the reader says it wants it', async () => {
    const { client, log } = fakeClient(3);
    await readAll(meetingPages(client, {}, { readAhead: true }), log);
    expect(log).toEqual(['fetch first', 'got c1', 'fetch c1', 'written', 'got c2', 'fetch c2', 'written', 'got last', 'written']);
  });

  it('without read-ahead (OAuth), the next page is asked for only after the current one is handled', async () => {
    const { client, log } = fakeClient(2);
    await readAll(meetingPages(client, {}, { readAhead: false }), log);
    expect(log).toEqual(['fetch first', 'got c1', 'written', 'fetch c1', 'got last', 'written']);
  });

  it('a reader that stops asks for nothing more', async () => {
    const { client, log } = fakeClient(5);
    const pages = meetingPages(client, {}, { readAhead: true });
    for await (const _ of pages) break;
    expect(log).toEqual(['fetch first']);
  });
});

describe('meetingQueryFor', () => {
  it('widens the window a second either side, in the form sent to Fathom, and includes content unless it comes per recording', () => {
    const now = Date.parse('2026-11-20T12:00:00Z');
    const range = planWindow({ mode: 'range', since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-11-02T00:00:00.500Z') }, { now, bookmark: null });
    expect(meetingQueryFor(range, { teams: ['Sales'] }, { withContent: true })).toEqual({
      teams: ['Sales'],
      createdAfter: '2026-10-31T23:59:59Z',
      createdBefore: '2026-11-02T00:00:01.500Z',
      include: { actionItems: true, highlights: true, crmMatches: true, summary: true, transcript: true },
    });
    expect(meetingQueryFor(range, {}, { withContent: false }).include).toMatchObject({ summary: false, transcript: false });
  });
});
