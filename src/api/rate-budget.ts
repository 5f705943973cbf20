import type { Clock } from '../core/clock.js';

/**
 * Client-side rate budget, so a long sync paces itself instead of provoking 429s.
 *
 * Fathom documents two limits: 60 calls per 60 s per account, and 30 per 60 s for heavy
 * calls (transcripts and summaries), which "may be adjusted down". Without server hints we
 * keep a sliding window per bucket. When the server sends RateLimit-Limit/-Remaining/-Reset,
 * its numbers win for the bucket they describe until the reset time: the server knows its
 * own window, which may be shorter, longer or lower than the documented one. After a 429 the
 * whole budget is paused for Retry-After.
 */

export type RequestClass = 'light' | 'heavy';

export interface BucketLimit {
  limit: number;
  windowMs: number;
}

export interface RateBudgetOptions {
  global: BucketLimit;
  heavy: BucketLimit;
  clock: Clock;
}

export const DOCUMENTED_LIMITS = {
  global: { limit: 60, windowMs: 60_000 },
  heavy: { limit: 30, windowMs: 60_000 },
} as const;

export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  /** Seconds until the server's window resets (never more than MAX_RESET_SECONDS). */
  resetSeconds?: number;
}

/** The documented window, in seconds (both buckets share it). */
export const DOCUMENTED_WINDOW_SECONDS = DOCUMENTED_LIMITS.global.windowMs / 1000;

/**
 * The largest RateLimit-Reset read as "seconds from now". A larger one is not seconds (an epoch
 * time, or milliseconds, from a server or proxy that reads the draft differently): taken at face
 * value it would stall a run for hours or decades, so the documented window stands in for it.
 */
export const MAX_RESET_SECONDS = 2 * DOCUMENTED_WINDOW_SECONDS;

interface ServerHint {
  /** What the server said remained, less what we sent since. */
  remaining: number;
  /** What the server last said remained, to tell its next window from this one. */
  reported: number;
  /** The window resets somewhere in (resetAfter, resetAt]; we wait for resetAt. */
  resetAfter: number;
  resetAt: number;
}

class SlidingWindow {
  readonly #sent: number[] = [];
  constructor(public limit: number, readonly windowMs: number) {}

  /** Milliseconds to wait before one more request fits; 0 when it fits now. */
  waitFor(now: number): number {
    while (this.#sent.length > 0 && this.#sent[0]! <= now - this.windowMs) this.#sent.shift();
    if (this.#sent.length < this.limit) return 0;
    const oldestThatMustExpire = this.#sent[this.#sent.length - this.limit]!;
    return oldestThatMustExpire + this.windowMs - now;
  }

  record(now: number): void {
    this.#sent.push(now);
  }
}

export class RateBudget {
  readonly #clock: Clock;
  readonly #windows: Record<'global' | 'heavy', SlidingWindow>;
  readonly #hints: Partial<Record<'global' | 'heavy', ServerHint>> = {};
  #pausedUntil = 0;

  constructor(options: RateBudgetOptions) {
    this.#clock = options.clock;
    this.#windows = {
      global: new SlidingWindow(options.global.limit, options.global.windowMs),
      heavy: new SlidingWindow(options.heavy.limit, options.heavy.windowMs),
    };
  }

  /** Milliseconds until a request of this class may be sent; does not reserve anything. */
  delayFor(cls: RequestClass, now = this.#clock.now()): number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    const bucket = cls === 'heavy' ? 'heavy' : 'global';
    const hint = this.#hints[bucket];
    if (hint) {
      if (now < hint.resetAt) return hint.remaining > 0 ? 0 : hint.resetAt - now;
      // The server's window has reset since it last spoke: its next answer brings fresh numbers.
      // (Requests are sequential, so at most one goes out on this assumption.)
      return 0;
    }
    const buckets: SlidingWindow[] = cls === 'heavy' ? [this.#windows.global, this.#windows.heavy] : [this.#windows.global];
    return Math.max(0, ...buckets.map((w) => w.waitFor(now)));
  }

  /**
   * Waits until the budget allows one request of this class, then takes it.
   * `onWait` is told how long it is about to wait (for progress output).
   */
  async acquire(cls: RequestClass, onWait?: (ms: number) => void, signal?: AbortSignal): Promise<number> {
    let waited = 0;
    for (;;) {
      const now = this.#clock.now();
      const wait = this.delayFor(cls, now);
      if (wait <= 0) {
        this.#take(cls, now);
        return waited;
      }
      onWait?.(wait);
      await this.#clock.sleep(wait, signal);
      waited += wait;
    }
  }

  #take(cls: RequestClass, now: number): void {
    this.#windows.global.record(now);
    if (cls === 'heavy') this.#windows.heavy.record(now);
    const hint = this.#hints[cls === 'heavy' ? 'heavy' : 'global'];
    if (hint && now < hint.resetAt) hint.remaining -= 1;
  }

  /** Takes the server's RateLimit-* headers of a response to a request of this class. */
  observe(cls: RequestClass, headers: RateLimitHeaders): void {
    const bucket = cls === 'heavy' ? 'heavy' : 'global';
    if (headers.limit !== undefined && headers.limit > 0) {
      this.#windows[bucket].limit = headers.limit;
      // Every heavy call is also a global one, so the global limit is at least the heavy one: a light
      // call after a burst the server allowed must not wait out our documented guess of 60.
      if (bucket === 'heavy' && !this.#hints.global && headers.limit > this.#windows.global.limit) this.#windows.global.limit = headers.limit;
    }
    if (headers.remaining === undefined || headers.resetSeconds === undefined) {
      // No numbers this time: fall back to our own sliding window for this bucket.
      delete this.#hints[bucket];
      return;
    }
    // RateLimit-Reset is usually whole seconds, rounded up: "1" means the window resets within the
    // next second. Each answer in the same window narrows down when exactly; waiting for the
    // earliest instant that is certainly past the reset wastes far less than a second per window.
    const now = this.#clock.now();
    const whole = Number.isInteger(headers.resetSeconds);
    let resetAt = now + headers.resetSeconds * 1000;
    let resetAfter = whole ? resetAt - 1000 : resetAt;
    const prev = this.#hints[bucket];
    const sameWindow = prev && headers.remaining <= prev.reported && resetAfter < prev.resetAt && resetAt > prev.resetAfter;
    if (prev && sameWindow) {
      resetAt = Math.min(resetAt, prev.resetAt);
      resetAfter = Math.max(resetAfter, prev.resetAfter);
    }
    this.#hints[bucket] = { remaining: headers.remaining, reported: headers.remaining, resetAfter, resetAt };
  }

  /** After a 429: nothing is sent until the server said we may try again. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }
}

/** Reads RateLimit-* headers; absent or malformed values are left out. */
export function parseRateLimitHeaders(get: (name: string) => string | undefined): RateLimitHeaders {
  const int = (name: string): number | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    const value = Number(raw.trim());
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const out: RateLimitHeaders = {};
  const limit = int('ratelimit-limit');
  const remaining = int('ratelimit-remaining');
  const reset = int('ratelimit-reset');
  if (limit !== undefined) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  if (reset !== undefined) out.resetSeconds = reset > MAX_RESET_SECONDS ? DOCUMENTED_WINDOW_SECONDS : reset;
  return out;
}

const DEFAULT_RETRY_AFTER_MS = 60_000;

/** Retry-After is either delay-seconds or an HTTP-date; a missing or invalid one means 60 s. */
export function parseRetryAfter(value: string | undefined, now: number): number {
  if (value === undefined) return DEFAULT_RETRY_AFTER_MS;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return DEFAULT_RETRY_AFTER_MS;
}
