import type { AuthKind } from './request.js';

export interface RequestLog {
  method: string;
  path: string;
  query: URLSearchParams;
  auth: AuthKind;
  /** 0 when the connection was reset instead of answered. */
  status: number;
  heavy: boolean;
}

export interface FakeStats {
  requests: number;
  heavy: number;
  rateLimited: number;
  byPath: Record<string, number>;
}

/** Ids replaced by placeholders, so byPath counts routes rather than individual recordings. */
function routeKey(path: string): string {
  return path
    .replace(/^\/recordings\/[^/]+/, '/recordings/{id}')
    .replace(/\/downloads\/[^/]+$/, '/downloads/{download_id}')
    .replace(/^\/webhooks\/[^/]+$/, '/webhooks/{id}');
}

function emptyStats(): FakeStats {
  return { requests: 0, heavy: 0, rateLimited: 0, byPath: {} };
}

/** Every request the server answered, and counters a test or benchmark can assert on. */
export class RequestRecorder {
  /** Kept as the same array for the server's life: tests hold on to `server.requests`. */
  readonly entries: RequestLog[] = [];
  #stats = emptyStats();

  record(entry: RequestLog): void {
    this.entries.push(entry);
    const s = this.#stats;
    s.requests += 1;
    if (entry.heavy) s.heavy += 1;
    if (entry.status === 429) s.rateLimited += 1;
    const key = routeKey(entry.path);
    s.byPath[key] = (s.byPath[key] ?? 0) + 1;
  }

  /** A copy: later requests do not change what a caller already holds. */
  stats(): FakeStats {
    return { ...this.#stats, byPath: { ...this.#stats.byPath } };
  }

  reset(): void {
    this.entries.length = 0;
    this.#stats = emptyStats();
  }
}
