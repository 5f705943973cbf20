import http from 'node:http';
import type { Socket } from 'node:net';
import { tooManyRequests } from './rate-limit.js';
import { errorReply, replyBytes, type Reply } from './reply.js';

export interface FaultSpec {
  kind: 'status' | 'reset' | 'truncate' | 'invalid-item' | 'rate-limit' | 'latency';
  /** How many matching requests it affects (default 1). */
  count?: number;
  /** Only requests whose pathname (after /external/v1) starts with this, e.g. '/meetings'. */
  path?: string;
  /** Only requests that carry this query parameter, e.g. 'created_before' (an older window). */
  withParam?: string;
  /** Let this many matching requests pass first (default 0): a fault part way through a run. */
  after?: number;
  /** For 'status' (default 500). */
  status?: number;
  /** For 'rate-limit': the raw Retry-After header value (default '1'). */
  retryAfter?: string;
  /** For 'latency'. */
  ms?: number;
  /** For 'invalid-item': how to break the item (default: alternates, recording_id first). */
  corrupt?: 'recording_id' | 'created_at';
}

export interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
  /** Matching requests still to let pass before it applies. */
  passes: number;
}

/** Faults injected by a test, applied in order to the requests they match. */
export class FaultQueue {
  #queue: QueuedFault[] = [];
  /** Which field an 'invalid-item' without `corrupt` breaks next, so a run sees both kinds. */
  #corruptions = 0;

  inject(...faults: FaultSpec[]): void {
    for (const f of faults) {
      const count = Math.floor(f.count ?? 1);
      if (count > 0) this.#queue.push({ spec: { ...f }, remaining: count, passes: Math.max(0, Math.floor(f.after ?? 0)) });
    }
  }

  clear(): void {
    this.#queue = [];
  }

  /** The first fault that applies to this request, counted as used (except 'invalid-item', see breakOneItem). */
  take(method: string, path: string, query: URLSearchParams = new URLSearchParams()): QueuedFault | null {
    for (let i = 0; i < this.#queue.length; i++) {
      const f = this.#queue[i]!;
      const prefix = f.spec.path ?? (f.spec.kind === 'invalid-item' ? '/meetings' : '');
      if (!path.startsWith(prefix)) continue;
      if (f.spec.withParam !== undefined && !query.has(f.spec.withParam)) continue;
      if (f.passes > 0) {
        f.passes -= 1;
        continue;
      }
      if (f.spec.kind === 'invalid-item') {
        // Used only when it actually corrupts a page: an empty page has nothing to break.
        if (method === 'GET' && path === '/meetings') return f;
        continue;
      }
      this.#consume(f);
      return f;
    }
    return null;
  }

  /** 'invalid-item': breaks the middle item of a page (the rest stay intact) and uses up the fault once. */
  breakOneItem(fault: QueuedFault, items: readonly object[]): void {
    this.#consume(fault);
    const item = items[Math.floor(items.length / 2)] as Record<string, unknown>;
    const how = fault.spec.corrupt ?? (this.#corruptions++ % 2 === 0 ? 'recording_id' : 'created_at');
    if (how === 'recording_id') item.recording_id = String(item.recording_id);
    else delete item.created_at;
  }

  #consume(f: QueuedFault): void {
    f.remaining -= 1;
    if (f.remaining <= 0) this.#queue = this.#queue.filter((x) => x !== f);
  }
}

/** The answer a fault sends in place of the real one; null for faults that alter the real answer. */
export function replacementReply(spec: FaultSpec): Reply | null {
  if (spec.kind === 'status') {
    const status = spec.status ?? 500;
    return errorReply(status, `${http.STATUS_CODES[status] ?? 'Error'} (injected fault)`);
  }
  if (spec.kind === 'rate-limit') return tooManyRequests({ 'retry-after': spec.retryAfter ?? '1' });
  return null;
}

/** 'reset': a TCP RST where Node can send one, so the client sees ECONNRESET rather than a clean close. */
export function resetConnection(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

/** 'latency': added on top of the server's own latency. */
export function faultDelayMs(fault: QueuedFault | null): number {
  const spec = fault?.spec;
  return spec?.kind === 'latency' ? spec.ms ?? 0 : 0;
}

/** 'truncate': announces the full length, sends half, then drops the connection. */
export function writeTruncated(res: http.ServerResponse, reply: Reply): void {
  const buf = replyBytes(reply);
  res.writeHead(reply.status, { ...reply.headers, 'content-type': 'application/json', 'content-length': buf.length });
  const half = buf.subarray(0, Math.floor(buf.length / 2));
  res.write(half, () => res.socket?.destroy());
}
