import type { Reply } from './reply.js';

export interface RateLimitConfig {
  limit: number;
  windowMs: number;
}

export interface RateLimits {
  /** Every request counts here. */
  global: RateLimitConfig;
  /** Heavy requests count here as well (see isHeavyRequest). */
  heavy: RateLimitConfig;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { global: { limit: 60, windowMs: 60_000 }, heavy: { limit: 30, windowMs: 60_000 } };

/**
 * Requests that send summaries or transcripts: Fathom meters them separately, so a client that
 * syncs content runs into the heavy limit long before the global one.
 */
export function isHeavyRequest(method: string, path: string, q: URLSearchParams): boolean {
  if (method === 'GET' && /^\/recordings\/[^/]+\/(summary|transcript)$/.test(path)) return true;
  if (method === 'GET' && path === '/meetings') return q.get('include_summary') === 'true' || q.get('include_transcript') === 'true';
  return false;
}

export function tooManyRequests(headers: Record<string, string>): Reply {
  return { status: 429, body: { error: 'Rate limit exceeded' }, headers };
}

/** A fixed window that starts with the first request it counts (not on a wall-clock boundary). */
class FixedWindow {
  start = -Infinity;
  count = 0;
  constructor(readonly cfg: RateLimitConfig) {}
  roll(now: number): void {
    if (now >= this.start + this.cfg.windowMs) {
      this.start = now;
      this.count = 0;
    }
  }
  get remaining(): number {
    return Math.max(0, this.cfg.limit - this.count);
  }
  resetSeconds(now: number): number {
    return Math.max(1, Math.ceil((this.start + this.cfg.windowMs - now) / 1000));
  }
}

export type Admission = { allowed: true; headers: Record<string, string> } | { allowed: false; reply: Reply };

export interface RateLimiterOptions {
  /** Send RateLimit-Limit/-Remaining/-Reset. */
  sendHeaders: boolean;
  /** Retry-After on 429: delay-seconds or an HTTP-date (clients must handle both). */
  retryAfterFormat: 'seconds' | 'http-date';
  clock: () => number;
}

/** Per-credential fixed-window limits, with the RateLimit-* and Retry-After headers Fathom sends. */
export class RateLimiter {
  readonly #limits: RateLimits | false;
  readonly #opts: RateLimiterOptions;
  readonly #windows = new Map<string, { global: FixedWindow; heavy: FixedWindow }>();

  /** `false` = unlimited, and no RateLimit-* headers. */
  constructor(limits: RateLimits | false, opts: RateLimiterOptions) {
    this.#limits = limits;
    this.#opts = opts;
  }

  /** Restarts every window. */
  reset(): void {
    this.#windows.clear();
  }

  /** Counts the request if it fits; the headers go on its answer, or the 429 replaces it. */
  admit(credential: string, heavy: boolean): Admission {
    const headers: Record<string, string> = {};
    if (!this.#limits) return { allowed: true, headers };
    const now = this.#opts.clock();
    let w = this.#windows.get(credential);
    if (!w) {
      w = { global: new FixedWindow(this.#limits.global), heavy: new FixedWindow(this.#limits.heavy) };
      this.#windows.set(credential, w);
    }
    // A window starts with the first request it counts: the heavy one only rolls for heavy requests.
    w.global.roll(now);
    if (heavy) w.heavy.roll(now);
    const exceeded = w.global.count >= w.global.cfg.limit ? w.global : heavy && w.heavy.count >= w.heavy.cfg.limit ? w.heavy : null;
    if (!exceeded) {
      w.global.count += 1;
      if (heavy) w.heavy.count += 1;
    }
    const governing = heavy ? w.heavy : w.global;
    if (this.#opts.sendHeaders) {
      headers['ratelimit-limit'] = String(governing.cfg.limit);
      headers['ratelimit-remaining'] = String(governing.remaining);
      headers['ratelimit-reset'] = String(governing.resetSeconds(now));
    }
    if (!exceeded) return { allowed: true, headers };
    headers['retry-after'] =
      this.#opts.retryAfterFormat === 'http-date'
        ? new Date(Math.ceil((exceeded.start + exceeded.cfg.windowMs) / 1000) * 1000).toUTCString()
        : String(exceeded.resetSeconds(now));
    return { allowed: false, reply: tooManyRequests(headers) };
  }
}
