import type { CursorCodec } from './cursor.js';
import { meetingJson, serializeMeeting } from './data/serialize.js';
import type { Skeleton } from './data/skeleton.js';
import type { MeetingStore } from './data/store.js';
import type { FaultQueue } from './faults.js';
import { comesAfter, type MeetingOrder } from './meeting-order.js';
import { parseMeetingsQuery, type MeetingsQuery } from './meetings-query.js';
import { badRequest, type Reply } from './reply.js';
import type { ApiRequest } from './request.js';

const COMMA = Buffer.from(',');
const PAGE_END = Buffer.from(']}');

function pageStart(pageSize: number, next: string | null): Buffer {
  return Buffer.from(`{"limit":${pageSize},"next_cursor":${JSON.stringify(next)},"items":[`);
}

export interface MeetingsRouteDeps {
  seed: number;
  store: MeetingStore;
  cursors: CursorCodec;
  pageSize: number;
  faults: FaultQueue;
  /** The order items are listed in (meeting-order.ts); the cursor is a keyset in it. */
  order: MeetingOrder;
}

/** GET /meetings: in the server's order (newest first by default), keyset-paged, a server-chosen page size. */
export class MeetingsRoute {
  readonly #deps: MeetingsRouteDeps;

  constructor(deps: MeetingsRouteDeps) {
    this.#deps = deps;
  }

  list(req: ApiRequest, authKind: 'api_key' | 'bearer'): Reply {
    const { seed, cursors, pageSize, faults, order } = this.#deps;
    const parsed = parseMeetingsQuery(req.query, authKind, cursors, order);
    if (!parsed.ok) return badRequest(parsed.error);
    const { page, more } = this.#selectPage(parsed.query);
    const last = page[page.length - 1];
    const next = more && last ? cursors.encode(order.cursorAfter(last)) : null;
    const inc = parsed.query.include;

    const fault = req.fault;
    if (fault?.spec.kind !== 'invalid-item' || page.length === 0) {
      // The usual case, written straight to UTF-8 (see meetingJson) because transcripts make pages
      // large; the bytes are the same as JSON.stringify's.
      const parts: Buffer[] = [pageStart(pageSize, next)];
      page.forEach((sk, i) => {
        if (i > 0) parts.push(COMMA);
        parts.push(meetingJson(seed, sk, inc));
      });
      parts.push(PAGE_END);
      return { status: 200, raw: Buffer.concat(parts) };
    }
    const items = page.map((sk) => serializeMeeting(seed, sk, inc));
    faults.breakOneItem(fault, items);
    return { status: 200, body: { limit: pageSize, next_cursor: next, items } };
  }

  /**
   * Binary-searches to the first candidate, then scans: filters are cheap, serialising is not. In
   * the newest-first order the created_before bound is a place to start and created_after one to
   * stop; in the others both are filters.
   */
  #selectPage(q: MeetingsQuery): { page: Skeleton[]; more: boolean } {
    const { order, store } = this.#deps;
    const sorted = order.list(store);
    let start = 0;
    const key = q.resumeAfter;
    if (key) start = lowerBound(sorted, (sk) => comesAfter(order, sk, key));
    const { before, after } = q;
    if (before !== null && order.byCreated) start = Math.max(start, lowerBound(sorted, (sk) => sk.createdSec * 1000 < before));
    const page: Skeleton[] = [];
    for (let i = start; i < sorted.length; i++) {
      const sk = sorted[i]!;
      if (after !== null && sk.createdSec * 1000 <= after) {
        if (order.byCreated) break;
        continue;
      }
      if (before !== null && sk.createdSec * 1000 >= before) continue;
      if (!q.matches(sk)) continue;
      if (page.length === this.#deps.pageSize) return { page, more: true };
      page.push(sk);
    }
    return { page, more: false };
  }
}

/** First index whose item satisfies `pred` (which is false...false,true...true along the array). */
function lowerBound<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
