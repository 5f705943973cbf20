import type { Dispatcher } from 'undici';
import type { Clock } from '../core/clock.js';
import type { ApiAuth } from './auth.js';
import { ApiError, AuthRequiredError, TemporaryError, errorMessage } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { RateBudget, parseRateLimitHeaders, parseRetryAfter, type RequestClass } from './rate-budget.js';

/**
 * One HTTP request to Fathom with everything around it: the rate budget, a timeout, retries
 * with exponential backoff and jitter for 5xx / resets / truncated bodies / timeouts, Retry-After
 * on 429, and one OAuth refresh after a 401. Returns parsed JSON.
 */

export interface HttpStats {
  requests: number;
  retries: number;
  rateLimited: number;
  rateLimitWaitMs: number;
}

export type HttpEvent =
  | { type: 'rate-wait'; ms: number; reason: 'budget' | '429' }
  | { type: 'retry'; attempt: number; ms: number; reason: string };

export interface HttpOptions {
  baseUrl: string;
  auth: ApiAuth;
  clock: Clock;
  budget: RateBudget;
  /** Per-request timeout (headers and body), ms. */
  timeoutMs?: number;
  /** Retries of one request for transient failures (not counting 429 waits). */
  maxRetries?: number;
  /** First backoff step, ms; doubles each attempt, capped at maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /** How many 429s one request may receive before giving up. */
  max429s?: number;
  /** Longest Retry-After the client sleeps through; a longer one ends the request at once (exit 5). */
  maxRetryAfterMs?: number;
  onEvent?: (event: HttpEvent) => void;
  random?: () => number;
  dispatcher?: Dispatcher;
  userAgent?: string;
}

export interface RequestSpec {
  method?: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  cls: RequestClass;
  signal?: AbortSignal;
}

/** A failure worth another try. */
class TransientFailure extends Error {}

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, rateLimitWaitMs: 0 };
  readonly #o: Required<Omit<HttpOptions, 'dispatcher' | 'onEvent'>> & Pick<HttpOptions, 'dispatcher' | 'onEvent'>;
  #undici: typeof import('undici') | undefined;

  constructor(options: HttpOptions) {
    this.#o = {
      timeoutMs: 30_000,
      maxRetries: 5,
      backoffBaseMs: 500,
      maxBackoffMs: 30_000,
      max429s: 8,
      maxRetryAfterMs: 10 * 60_000,
      random: Math.random,
      userAgent: 'fathom-sync',
      ...options,
    };
  }

  get authKind(): ApiAuth['kind'] {
    return this.#o.auth.kind;
  }

  url(path: string, query?: URLSearchParams): string {
    const base = this.#o.baseUrl.replace(/\/+$/, '');
    const qs = query && [...query.keys()].length > 0 ? `?${query.toString()}` : '';
    return `${base}${path}${qs}`;
  }

  async json<T = unknown>(spec: RequestSpec): Promise<{ status: number; body: T }> {
    const o = this.#o;
    this.#undici ??= await import('undici');
    let transientFailures = 0;
    let rateLimitedHere = 0;
    let refreshed = false;
    for (;;) {
      const waited = await o.budget.acquire(spec.cls, (ms) => o.onEvent?.({ type: 'rate-wait', ms, reason: 'budget' }), spec.signal);
      this.stats.rateLimitWaitMs += waited;
      // Outside the retry below: getting the headers may renew the OAuth token, and a renewal
      // that failed must not be repeated (a request that reached Fathom may have spent the
      // single-use refresh token). Its error is already the right one for the user.
      const authHeaders = await o.auth.headers();
      this.stats.requests += 1;
      let status: number;
      let text: string;
      let header: (name: string) => string | undefined;
      try {
        const headers: Record<string, string> = {
          accept: 'application/json',
          'user-agent': o.userAgent,
          ...authHeaders,
        };
        if (spec.body !== undefined) headers['content-type'] = 'application/json';
        const response = await this.#undici.request(this.url(spec.path, spec.query), {
          method: spec.method ?? 'GET',
          headers,
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          headersTimeout: o.timeoutMs,
          bodyTimeout: o.timeoutMs,
          signal: spec.signal,
          ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
        });
        status = response.statusCode;
        const responseHeaders = response.headers;
        header = (name) => {
          const v = responseHeaders[name.toLowerCase()];
          return Array.isArray(v) ? v[0] : v;
        };
        text = await response.body.text();
        const declared = header('content-length');
        if (declared !== undefined && Buffer.byteLength(text) < Number(declared)) {
          throw new TransientFailure(`response body truncated (${Buffer.byteLength(text)} of ${declared} bytes)`);
        }
      } catch (err) {
        if (spec.signal?.aborted) throw err;
        if (err instanceof AuthRequiredError) throw err;
        const reason = err instanceof TransientFailure ? err.message : describeNetworkError(err);
        transientFailures += 1;
        await this.#backoff(transientFailures, reason);
        continue;
      }

      o.budget.observe(spec.cls, parseRateLimitHeaders(header));

      if (status === 429) {
        this.stats.rateLimited += 1;
        rateLimitedHere += 1;
        const now = o.clock.now();
        const wait = parseRetryAfter(header('retry-after'), now);
        // Sleeping through a long pause would hold the run lock (and the hourly slot) for
        // nothing: stop now and say when Fathom will take requests again.
        if (wait > o.maxRetryAfterMs) throw retryLaterError(wait, now);
        if (rateLimitedHere > o.max429s) {
          throw new TemporaryError(`Fathom kept answering 429 (rate limited) for ${spec.path}; gave up after ${rateLimitedHere} tries`);
        }
        // A little jitter so parallel clients of one account do not return in lockstep.
        const jittered = wait + Math.round(o.random() * Math.min(1000, wait * 0.1));
        o.budget.pause(jittered);
        o.onEvent?.({ type: 'rate-wait', ms: jittered, reason: '429' });
        continue;
      }
      if (status === 401) {
        if (!refreshed && (await o.auth.onUnauthorized())) {
          refreshed = true;
          continue;
        }
        throw new AuthRequiredError(`Fathom rejected the credential from ${o.auth.source} (401)`);
      }
      if (status === 403) {
        throw new ApiError(`Fathom refused ${spec.path} (403 forbidden)${snippet(text)}`, status);
      }
      if (status >= 500 || status === 408) {
        transientFailures += 1;
        await this.#backoff(transientFailures, `HTTP ${status}`);
        continue;
      }
      if (status < 200 || status >= 300) {
        throw new ApiError(`Fathom answered ${status} for ${spec.path}${snippet(text)}`, status);
      }
      if (status === 204 || text.length === 0) return { status, body: undefined as T };
      try {
        return { status, body: JSON.parse(text) as T };
      } catch {
        // A 2xx whose JSON does not parse was cut short on the way: ask again.
        transientFailures += 1;
        await this.#backoff(transientFailures, 'response body is not complete JSON');
      }
    }
  }

  async #backoff(attempt: number, reason: string): Promise<void> {
    const o = this.#o;
    if (attempt > o.maxRetries) {
      throw new TemporaryError(`giving up after ${o.maxRetries} retries: ${reason}`);
    }
    this.stats.retries += 1;
    // Full jitter: a random wait up to the exponential step.
    const step = Math.min(o.maxBackoffMs, o.backoffBaseMs * 2 ** (attempt - 1));
    const ms = Math.round(step / 2 + o.random() * (step / 2));
    o.onEvent?.({ type: 'retry', attempt, ms, reason });
    await o.clock.sleep(ms);
  }
}

/** A 429 whose Retry-After is longer than the client waits: exit 5, with the time to come back. */
export function retryLaterError(waitMs: number, now: number): TemporaryError {
  // Rounded up to the minute: "after 14:05" must not be a few seconds too early.
  const at = new Date(Math.ceil((now + waitMs) / 60_000) * 60_000).toISOString().slice(0, 16).replace('T', ' ');
  return new TemporaryError(
    `Fathom is rate limiting this account and asked for a pause of ${formatDuration(waitMs, 'age')} (Retry-After); stopped instead of waiting. Try again after ${at} UTC`,
    `run it again after ${at} UTC (a scheduled hourly run also tries again by itself)`,
  );
}

function snippet(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return clean ? `: ${clean}` : '';
}

function describeNetworkError(err: unknown): string {
  const code = (err as { code?: string }).code;
  const message = errorMessage(err);
  return code ? `${code}: ${message}` : message;
}
