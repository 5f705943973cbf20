import { describe, expect, it } from 'vitest';
import { CursorChain, FathomClient, MAX_LIST_PAGES } from '../../src/api/client.js';
import type { HttpClient, RequestSpec } from '../../src/api/http.js';
import { ApiError, RecordingContentError } from '../../src/core/errors.js';

/** A FathomClient over a stub transport that answers each request with `answer` and logs it. */
function clientAnswering(answer: (spec: RequestSpec, n: number) => unknown) {
  const log: string[] = [];
  let n = 0;
  const http = {
    authKind: 'oauth',
    stats: { requests: 0, retries: 0, rateLimited: 0, rateLimitWaitMs: 0 },
    json: async (spec: RequestSpec) => {
      log.push(`${spec.path}${spec.query?.size ? `?${spec.query}` : ''}`);
      return { status: 200, body: answer(spec, n++) };
    },
  } as unknown as HttpClient;
  return { client: new FathomClient(http), log };
}

describe('CursorChain', () => {
  it('refuses a cursor it already followed and a chain past its cap', () => {
    const chain = new CursorChain('GET /teams', 3);
    chain.next(null);
    chain.next('a');
    expect(() => chain.next('a')).toThrow(/cursor it had already returned \(GET \/teams\)/);
    const capped = new CursorChain('GET /teams', 2);
    capped.next(null);
    capped.next('a');
    expect(() => capped.next('b')).toThrow(ApiError);
    expect(() => new CursorChain('GET /x', 0).next(null)).toThrow(/more than 0 pages of GET \/x/);
  });
});

describe('FathomClient lists (/teams, /meeting_types)', () => {
  it('follows every page', async () => {
    const { client, log } = clientAnswering((spec) =>
      spec.query?.get('cursor') ? { limit: 1, next_cursor: null, items: [{ name: 'B' }] } : { limit: 1, next_cursor: 'c1', items: [{ name: 'A' }] },
    );
    expect((await client.teams()).map((t) => t.name)).toEqual(['A', 'B']);
    expect(log).toEqual(['/teams', '/teams?cursor=c1']);
  });

  it('stops with an error at a repeated cursor instead of looping (or silently keeping half the list)', async () => {
    const { client, log } = clientAnswering(() => ({ limit: 1, next_cursor: 'same', items: [{ name: 'A', status: 'active' }] }));
    await expect(client.meetingTypes()).rejects.toThrow(/cursor it had already returned \(GET \/meeting_types\)/);
    expect(log).toHaveLength(2);
  });

  it('stops with an error after MAX_LIST_PAGES pages of fresh cursors', async () => {
    const { client, log } = clientAnswering((_spec, n) => ({ limit: 1, next_cursor: `c${n + 1}`, items: [] }));
    await expect(client.teams()).rejects.toThrow(`more than ${MAX_LIST_PAGES} pages of GET /teams`);
    expect(log).toHaveLength(MAX_LIST_PAGES);
  });
});

describe('FathomClient recording content', () => {
  it('returns the summary and transcript exactly as Fathom sent them: fields left out stay out, order and unknown fields kept', async () => {
    const summary = { markdown_formatted: '## S', extra: { kept: true } }; // no template_name
    const transcript = [{ timestamp: '00:00:01', text: 'hi', speaker: { display_name: 'Ann' } }];
    const { client } = clientAnswering((spec) => (spec.path.endsWith('/summary') ? { summary } : { transcript }));
    const gotSummary = await client.summary(7);
    const gotTranscript = await client.transcript(7);
    expect(JSON.stringify(gotSummary)).toBe(JSON.stringify(summary));
    expect(JSON.stringify(gotTranscript)).toBe(JSON.stringify(transcript));
  });

  it('still refuses a body that does not fit the schema', async () => {
    const { client } = clientAnswering(() => ({ summary: { markdown_formatted: 42 } }));
    await expect(client.summary(7)).rejects.toBeInstanceOf(RecordingContentError);
  });
});
