import { hashInts, SALT } from './data/random.js';
import { SOURCES, sourceOf, type Skeleton } from './data/skeleton.js';
import { compareRanks, type MeetingStore } from './data/store.js';
import { isoSeconds } from './data/format.js';

/**
 * The order GET /meetings lists meetings in. Fathom promises only "most recent first"; a real
 * cursor decodes to a keyset over several sources (notes §5), so a client may rely on nothing but
 * the created_after / created_before filters. The fake can list:
 * - `newest`: one order, newest created_at first (what the fake always did);
 * - `sources`: source by source (SOURCES: the team's calls, other teams' shared calls, ...), each
 *   newest *recording start* first, as the real cursor suggests; its cursor carries
 *   `recording_started_at`, `id` and `completed_sources` like Fathom's;
 * - `shuffled`: every item at a seeded random place, so pages are in no time order at all.
 * Each order is a rank per meeting (compared element by element); a cursor is the rank of the last
 * meeting served, so paging is a keyset in every order.
 */

export const MEETING_ORDERS = ['newest', 'sources', 'shuffled'] as const;
export type MeetingOrderName = (typeof MEETING_ORDERS)[number];

export interface MeetingOrder {
  readonly name: MeetingOrderName;
  /** Whether the list runs newest created_at first (a created_after bound then ends a scan). */
  readonly byCreated: boolean;
  /** Every meeting, in this order. */
  list(store: MeetingStore): readonly Skeleton[];
  rank(sk: Skeleton): readonly number[];
  /** The cursor payload that resumes after `sk`. */
  cursorAfter(sk: Skeleton): object;
  /** The rank a decoded cursor resumes after, or null when it is not a cursor of this order. */
  rankOf(cursor: Record<string, unknown>): readonly number[] | null;
}

const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

const newest: MeetingOrder = {
  name: 'newest',
  byCreated: true,
  list: (store) => store.sorted,
  rank: (sk) => [-sk.createdSec, -sk.recordingId],
  cursorAfter: (sk) => ({ k: 'meetings', t: sk.createdSec, id: sk.recordingId }),
  rankOf: (c) => (c.k === 'meetings' && int(c.t) && int(c.id) && c.o === undefined && c.completed_sources === undefined ? [-c.t, -c.id] : null),
};

const recordingStartSec = (sk: Skeleton): number => Math.floor(Date.parse(sk.base.recording_start_time) / 1000);

const sources: MeetingOrder = {
  name: 'sources',
  byCreated: false,
  list: (store) => store.sortedBy('sources', sources.rank),
  rank: (sk) => [sourceOf(sk), -recordingStartSec(sk), -sk.recordingId],
  cursorAfter: (sk) => ({
    k: 'meetings',
    recording_started_at: isoSeconds(recordingStartSec(sk)),
    id: sk.recordingId,
    completed_sources: SOURCES.slice(0, sourceOf(sk)),
  }),
  rankOf: (c) => {
    const done = c.completed_sources;
    if (c.k !== 'meetings' || !int(c.id) || typeof c.recording_started_at !== 'string' || !Array.isArray(done)) return null;
    if (done.length >= SOURCES.length || done.some((s, i) => s !== SOURCES[i])) return null;
    const t = Date.parse(c.recording_started_at);
    return Number.isNaN(t) ? null : [done.length, -Math.floor(t / 1000), -c.id];
  },
};

function shuffled(seed: number): MeetingOrder {
  const order: MeetingOrder = {
    name: 'shuffled',
    byCreated: false,
    list: (store) => store.sortedBy(`shuffled:${seed}`, order.rank),
    rank: (sk) => [hashInts(seed, SALT.order, sk.recordingId), sk.recordingId],
    cursorAfter: (sk) => ({ k: 'meetings', o: 'shuffled', h: hashInts(seed, SALT.order, sk.recordingId), id: sk.recordingId }),
    rankOf: (c) => (c.k === 'meetings' && c.o === 'shuffled' && int(c.h) && int(c.id) ? [c.h, c.id] : null),
  };
  return order;
}

export function meetingOrder(name: MeetingOrderName, seed: number): MeetingOrder {
  if (name === 'sources') return sources;
  if (name === 'shuffled') return shuffled(seed);
  return newest;
}

/** Whether `sk` comes after the position `rank` in `order`. */
export function comesAfter(order: MeetingOrder, sk: Skeleton, rank: readonly number[]): boolean {
  return compareRanks(order.rank(sk), rank) > 0;
}
