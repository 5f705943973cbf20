import { describe, expect, it } from 'vitest';
import { RateBudget, parseRateLimitHeaders, parseRetryAfter } from '../../src/api/rate-budget.js';
import { FakeClock } from '../helpers/fake-clock.js';

function budget(clock: FakeClock, global = { limit: 3, windowMs: 1000 }, heavy = { limit: 2, windowMs: 1000 }) {
  return new RateBudget({ global, heavy, clock });
}

describe('RateBudget without server hints', () => {
  it('lets the window fill, then waits exactly until the oldest request expires', async () => {
    const clock = new FakeClock(0);
    const b = budget(clock);
    for (let i = 0; i < 3; i++) expect(await b.acquire('light')).toBe(0);
    expect(b.delayFor('light')).toBe(1000);
    expect(await b.acquire('light')).toBe(1000);
    expect(clock.t).toBe(1000);
  });

  it('counts heavy requests against both buckets', async () => {
    const clock = new FakeClock(0);
    const b = budget(clock);
    await b.acquire('heavy');
    await b.acquire('heavy');
    expect(b.delayFor('heavy')).toBe(1000);
    expect(b.delayFor('light')).toBe(0);
    await b.acquire('light');
    expect(b.delayFor('light')).toBe(1000);
  });

  it('keeps a long run within the documented rate: 120 light requests take two windows', async () => {
    const clock = new FakeClock(0);
    const b = budget(clock, { limit: 60, windowMs: 60_000 });
    for (let i = 0; i < 120; i++) await b.acquire('light');
    expect(clock.t).toBe(60_000);
  });
});

describe('RateBudget with server hints', () => {
  it('trusts RateLimit-Remaining/Reset over its own window', async () => {
    const clock = new FakeClock(0);
    const b = budget(clock, { limit: 60, windowMs: 60_000 }, { limit: 30, windowMs: 60_000 });
    b.observe('heavy', { limit: 5, remaining: 0, resetSeconds: 2 });
    expect(b.delayFor('heavy')).toBe(2000);
    expect(await b.acquire('heavy')).toBe(2000);
  });

  it('a faster server window lets more through than the documented one', async () => {
    const clock = new FakeClock(0);
    const b = budget(clock, { limit: 2, windowMs: 60_000 });
    b.observe('light', { limit: 10, remaining: 9, resetSeconds: 1 });
    for (let i = 0; i < 9; i++) expect(await b.acquire('light')).toBe(0);
    expect(b.delayFor('light')).toBe(1000);
  });

  it('a burst of heavy calls the server allowed does not hold up the light call after it', async () => {
    const clock = new FakeClock(0);
    const b = budget(clock, { limit: 60, windowMs: 60_000 }, { limit: 30, windowMs: 60_000 });
    for (let i = 0; i < 100; i++) {
      expect(await b.acquire('heavy')).toBe(0);
      b.observe('heavy', { limit: 1000, remaining: 1000 - i - 1, resetSeconds: 60 });
    }
    // Every heavy call is also a global one: the global limit is at least the heavy one.
    expect(b.delayFor('light')).toBe(0);
  });

  it('pauses everything after a 429', () => {
    const clock = new FakeClock(0);
    const b = budget(clock);
    b.pause(5000);
    expect(b.delayFor('light')).toBe(5000);
    expect(b.delayFor('heavy')).toBe(5000);
  });
});

describe('header parsing', () => {
  it('reads RateLimit-* and ignores junk', () => {
    const h: Record<string, string> = { 'ratelimit-limit': '60', 'ratelimit-remaining': '12', 'ratelimit-reset': 'soon' };
    expect(parseRateLimitHeaders((n) => h[n])).toEqual({ limit: 60, remaining: 12 });
  });
  it('a RateLimit-Reset that cannot be seconds (over twice the 60 s window, or an epoch time) counts as the 60 s window', () => {
    const reset = (v: string) => parseRateLimitHeaders((n) => ({ 'ratelimit-remaining': '0', 'ratelimit-reset': v })[n]).resetSeconds;
    expect(reset('0')).toBe(0);
    expect(reset('59')).toBe(59);
    expect(reset('120')).toBe(120);
    expect(reset('121')).toBe(60);
    expect(reset('1795694400')).toBe(60); // an epoch time (2026-11-26)
    expect(reset('30000')).toBe(60); // 30 s in milliseconds
  });
  it('an epoch-time RateLimit-Reset makes the budget wait one documented window, not decades', async () => {
    const clock = new FakeClock(Date.parse('2026-11-20T12:00:00Z'));
    const b = budget(clock, { limit: 60, windowMs: 60_000 }, { limit: 30, windowMs: 60_000 });
    const epoch = String(Math.floor(clock.now() / 1000) + 30);
    b.observe('heavy', parseRateLimitHeaders((n) => ({ 'ratelimit-limit': '30', 'ratelimit-remaining': '0', 'ratelimit-reset': epoch })[n]));
    expect(await b.acquire('heavy')).toBe(60_000);
  });
  it('reads Retry-After as seconds or an HTTP date, defaulting to 60 s', () => {
    const now = Date.parse('2026-11-20T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(undefined, now)).toBe(60_000);
    expect(parseRetryAfter('whenever', now)).toBe(60_000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
});

describe('RateBudget following a server window shorter than the documented one', () => {
  it('goes again as soon as the server window has reset, and falls back when headers stop', async () => {
    const clock = new FakeClock(0);
    const b = budget(clock, { limit: 60, windowMs: 60_000 }, { limit: 30, windowMs: 60_000 });
    // Three heavy calls per 1 s window, as a compressed server would say.
    for (let window = 0; window < 3; window++) {
      for (let i = 2; i >= 0; i--) {
        await b.acquire('heavy');
        b.observe('heavy', { limit: 3, remaining: i, resetSeconds: 1 });
      }
    }
    // Two waits of one second each: the local 60 s window (limit adapted to 3) never kicked in.
    expect(clock.sleeps).toEqual([1000, 1000]);
    b.observe('heavy', {});
    expect(b.delayFor('heavy')).toBeGreaterThan(1000); // our own window: 3 per 60 s, all used
  });
});

describe('RateBudget narrowing down a whole-second RateLimit-Reset', () => {
  it('waits until just past the reset the answers pin down, not a whole second more', async () => {
    const clock = new FakeClock(0);
    const b = budget(clock, { limit: 60, windowMs: 60_000 }, { limit: 30, windowMs: 60_000 });
    // The server window resets at t = 2000. Answers at t = 0, 600 and 1100 say 2, 2 and 1 seconds.
    b.observe('heavy', { limit: 3, remaining: 2, resetSeconds: 2 });
    clock.t = 600;
    b.observe('heavy', { limit: 3, remaining: 1, resetSeconds: 2 });
    clock.t = 1100;
    b.observe('heavy', { limit: 3, remaining: 0, resetSeconds: 1 });
    // "1 s" at t = 1100 alone would mean waiting until 2100; with t = 0's "2 s" the reset is at
    // 2000 at the latest, so the wait is 900 ms.
    expect(b.delayFor('heavy')).toBe(900);
  });

  it('uses the tightest bound: an answer just before the second flips pins the reset closely', () => {
    const clock = new FakeClock(0);
    const b = budget(clock);
    clock.t = 999; // reset at 2000 is 1001 ms away: the server says ceil = 2
    b.observe('heavy', { limit: 3, remaining: 1, resetSeconds: 2 });
    clock.t = 1001; // now 999 ms away: the server says 1
    b.observe('heavy', { limit: 3, remaining: 0, resetSeconds: 1 });
    // Candidates: (999, 2999] and (1001, 2001]: the reset is at 2001 at the latest.
    expect(b.delayFor('heavy')).toBe(1000);
  });

  it('starts afresh when the server reports a new window', () => {
    const clock = new FakeClock(0);
    const b = budget(clock);
    b.observe('heavy', { limit: 3, remaining: 0, resetSeconds: 1 });
    clock.t = 1000;
    b.observe('heavy', { limit: 3, remaining: 2, resetSeconds: 1 }); // more remaining: a new window
    expect(b.delayFor('heavy')).toBe(0);
    b.observe('heavy', { limit: 3, remaining: 0, resetSeconds: 1 });
    expect(b.delayFor('heavy')).toBe(1000);
  });
});
