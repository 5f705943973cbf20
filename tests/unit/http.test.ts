import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, retryLaterError, type HttpEvent } from '../../src/api/http.js';
import { RateBudget } from '../../src/api/rate-budget.js';
import { ApiKeyAuth, type ApiAuth } from '../../src/auth/credentials.js';
import { AuthRequiredError, TemporaryError, ApiError } from '../../src/core/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;
let server: http.Server | undefined;

/** A loopback server that answers request n with handlers[n] (the last one repeats). */
async function serve(...handlers: Handler[]): Promise<{ url: string; hits: () => number; headers: http.IncomingHttpHeaders[] }> {
  let n = 0;
  const headers: http.IncomingHttpHeaders[] = [];
  server = http.createServer((req, res) => {
    headers.push(req.headers);
    const h = handlers[Math.min(n, handlers.length - 1)]!;
    h(req, res, n++);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => n, headers };
}

afterEach(async () => {
  server?.closeAllConnections();
  // Without a server there is nothing to wait for (close's callback would never come).
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

const json = (status: number, body: unknown, extra: Record<string, string> = {}): Handler => (_req, res) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
};

function client(url: string, opts: { auth?: ApiAuth; events?: HttpEvent[]; clock?: FakeClock } = {}) {
  const clock = opts.clock ?? new FakeClock();
  return {
    clock,
    http: new HttpClient({
      baseUrl: url,
      auth: opts.auth ?? new ApiKeyAuth('k-123', 'test'),
      clock,
      budget: new RateBudget({ global: { limit: 1000, windowMs: 1000 }, heavy: { limit: 1000, windowMs: 1000 }, clock }),
      backoffBaseMs: 100,
      maxRetries: 3,
      random: () => 0.5,
      timeoutMs: 2000,
      onEvent: (e) => opts.events?.push(e),
    }),
  };
}

describe('HttpClient', () => {
  it('sends the API key header and returns parsed JSON', async () => {
    const s = await serve(json(200, { ok: true }));
    const { http: c } = client(s.url);
    expect(await c.json({ path: '/meetings', cls: 'light' })).toEqual({ status: 200, body: { ok: true } });
    expect(s.headers[0]!['x-api-key']).toBe('k-123');
  });

  it('retries 5xx, resets and truncated bodies with growing backoff, then succeeds', async () => {
    const truncated: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
      res.write('{"items": [');
      res.socket?.destroy();
    };
    const reset: Handler = (req) => req.socket.destroy();
    const s = await serve(json(503, { error: 'down' }), reset, truncated, json(200, { ok: 1 }));
    const events: HttpEvent[] = [];
    const { http: c, clock } = client(s.url, { events });
    expect((await c.json({ path: '/x', cls: 'light' })).body).toEqual({ ok: 1 });
    expect(c.stats).toMatchObject({ requests: 4, retries: 3 });
    // Backoff doubles: 100, 200, 400 ms steps with jitter fixed at the middle.
    expect(clock.sleeps).toEqual([75, 150, 300]);
    expect(events.map((e) => e.type)).toEqual(['retry', 'retry', 'retry']);
  });

  it('gives up with a temporary error once retries are exhausted', async () => {
    const s = await serve(json(502, {}));
    const { http: c } = client(s.url);
    await expect(c.json({ path: '/x', cls: 'light' })).rejects.toBeInstanceOf(TemporaryError);
    expect(s.hits()).toBe(4);
  });

  it('waits Retry-After (seconds or HTTP date) on 429 and counts it', async () => {
    const clock = new FakeClock(Date.parse('2026-11-20T12:00:00Z'));
    const s = await serve(json(429, {}, { 'retry-after': '3' }), json(429, {}, { 'retry-after': 'Fri, 20 Nov 2026 12:00:13 GMT' }), json(200, { ok: 1 }));
    const { http: c } = client(s.url, { clock });
    await c.json({ path: '/x', cls: 'light' });
    expect(c.stats.rateLimited).toBe(2);
    // 3 s + jitter, then until the date (10 s later by then) + jitter.
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(3000);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(9000);
    expect(clock.sleeps[1]).toBeLessThan(11000);
  });

  it('a Retry-After over 10 minutes ends the request at once (exit 5) saying when to try again, in UTC', async () => {
    const clock = new FakeClock(Date.parse('2026-11-20T12:00:00Z'));
    for (const retryAfter of ['3600', 'Fri, 20 Nov 2026 13:00:00 GMT']) {
      const s = await serve(json(429, {}, { 'retry-after': retryAfter }), json(200, { ok: 1 }));
      const { http: c } = client(s.url, { clock });
      const err = await c.json({ path: '/meetings', cls: 'light' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemporaryError);
      expect((err as TemporaryError).exitCode).toBe(5);
      expect((err as Error).message).toBe('Fathom is rate limiting this account and asked for a pause of 60 min (Retry-After); stopped instead of waiting. Try again after 2026-11-20 13:00 UTC');
      expect((err as TemporaryError).fix?.text).toMatch(/^run it again after 2026-11-20 13:00 UTC/);
      expect(s.hits()).toBe(1);
      expect(clock.sleeps).toEqual([]);
      // The next case gets its own server.
      server!.closeAllConnections();
      await new Promise((r) => server!.close(r));
      server = undefined;
    }
  });

  it('a Retry-After of exactly 10 minutes is still waited for; the time to come back is rounded up to the minute', async () => {
    const clock = new FakeClock(Date.parse('2026-11-20T12:00:00Z'));
    const s = await serve(json(429, {}, { 'retry-after': '600' }), json(200, { ok: 1 }));
    const { http: c } = client(s.url, { clock });
    expect((await c.json({ path: '/x', cls: 'light' })).body).toEqual({ ok: 1 });
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(600_000);
    expect(retryLaterError(601_000, Date.parse('2026-11-20T12:00:30Z')).message).toMatch(/Try again after 2026-11-20 12:11 UTC$/);
  });

  it('a rejected key is an authentication error, not a retry', async () => {
    const s = await serve(json(401, { error: 'bad key' }));
    const { http: c } = client(s.url);
    await expect(c.json({ path: '/x', cls: 'light' })).rejects.toBeInstanceOf(AuthRequiredError);
    expect(s.hits()).toBe(1);
  });

  it('after a 401 an OAuth credential gets one refresh, then the request is repeated', async () => {
    let token = 'old';
    const auth: ApiAuth = {
      kind: 'oauth',
      source: 'test',
      headers: async () => ({ authorization: `Bearer ${token}` }),
      onUnauthorized: async () => {
        token = 'new';
        return true;
      },
    };
    const s = await serve((req, res, n) => json(req.headers.authorization === 'Bearer new' ? 200 : 401, { n })(req, res, n));
    const { http: c } = client(s.url, { auth });
    expect((await c.json({ path: '/x', cls: 'light' })).status).toBe(200);
    expect(s.hits()).toBe(2);
  });

  it('a token renewal that fails is not retried: its error ends the request as it is', async () => {
    let renewals = 0;
    const auth: ApiAuth = {
      kind: 'oauth',
      source: 'test',
      headers: async () => {
        renewals += 1;
        throw new TemporaryError('cannot reach the OAuth token endpoint http://127.0.0.1:9/token: ECONNREFUSED');
      },
      onUnauthorized: async () => false,
    };
    const s = await serve(json(200, {}));
    const { http: c } = client(s.url, { auth });
    await expect(c.json({ path: '/x', cls: 'light' })).rejects.toThrow(/^cannot reach the OAuth token endpoint/);
    expect(renewals).toBe(1);
    expect(s.hits()).toBe(0);
    expect(c.stats).toMatchObject({ requests: 0, retries: 0 });
  });

  it('a 400 is reported with the server message and not retried', async () => {
    const s = await serve(json(400, { error: 'bad created_after' }));
    const { http: c } = client(s.url);
    await expect(c.json({ path: '/meetings', cls: 'light' })).rejects.toThrow(ApiError);
    await expect(c.json({ path: '/meetings', cls: 'light' })).rejects.toThrow(/400.*bad created_after/);
  });

  it('times out a server that never answers, and retries', async () => {
    const s = await serve(() => {}, json(200, { ok: 1 }));
    const clock = new FakeClock();
    const c = new HttpClient({
      baseUrl: s.url,
      auth: new ApiKeyAuth('k', 'test'),
      clock,
      budget: new RateBudget({ global: { limit: 10, windowMs: 1000 }, heavy: { limit: 10, windowMs: 1000 }, clock }),
      timeoutMs: 200,
      backoffBaseMs: 1,
    });
    expect((await c.json({ path: '/x', cls: 'light' })).body).toEqual({ ok: 1 });
    expect(c.stats.retries).toBe(1);
  });
});
