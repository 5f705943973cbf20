import { hashInts, Rng, SALT } from './random.js';
import { makeDetails, Skeleton, compareDesc, type SkeletonDetails } from './skeleton.js';

export interface DataOptions {
  seed: number;
  meetingCount: number;
  now: number;
  spacingHours: number;
  segmentsPerMeeting: number | [number, number];
  pendingFraction: number;
  /** Share of meetings recorded by a customer who shared them (listed only when named in recorded_by[]); default 0. */
  outsiderShare?: number;
}

/** Meetings, kept sorted newest first by (created_at desc, recording_id desc). */
export class MeetingStore {
  readonly seed: number;
  readonly #opts: DataOptions;
  readonly #rng: Rng;
  readonly #build: (sk: Skeleton) => SkeletonDetails;
  readonly #ids = new Set<number>();
  readonly #byId = new Map<number, Skeleton>();
  #sorted: Skeleton[] = [];
  readonly #orders = new Map<string, Skeleton[]>();
  #nextSlot = 0;

  constructor(opts: DataOptions) {
    this.#opts = opts;
    this.seed = opts.seed;
    this.#rng = new Rng(hashInts(opts.seed, SALT.skeleton));
    this.#build = (sk) => makeDetails(opts.seed, opts.segmentsPerMeeting, sk);
    const count = Math.max(0, Math.floor(opts.meetingCount));
    const pendingCount = Math.min(count, Math.round(count * Math.max(0, Math.min(1, opts.pendingFraction))));
    this.#nextSlot = count;
    const nowSec = Math.floor(opts.now / 1000);
    let created = nowSec - this.#rng.int(3 * 60, 40 * 60);
    const spacing = Math.max(0, opts.spacingHours) * 3600;
    const list: Skeleton[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0) {
        // Now and then two meetings share a created_at second (two recorders, one call).
        const gap = this.#rng.chance(0.03) ? 0 : Math.max(1, Math.round(spacing * (0.25 + 1.5 * this.#rng.next())));
        created -= gap;
      }
      list.push(this.#makeSkeleton(count - 1 - i, created, i < pendingCount));
    }
    this.#sorted = list;
    this.#resort();
  }

  get size(): number {
    return this.#sorted.length;
  }

  /** Newest first. Do not mutate. */
  get sorted(): readonly Skeleton[] {
    return this.#sorted;
  }

  get(recordingId: number): Skeleton | undefined {
    return this.#byId.get(recordingId);
  }

  require(recordingId: number): Skeleton {
    const sk = this.#byId.get(recordingId);
    if (!sk) throw new Error(`fake-server: no meeting with recording_id ${recordingId}`);
    return sk;
  }

  /** New meetings at the newest end, created after the current newest and at most ~5 min past `now`. */
  add(count: number, pending: boolean): Skeleton[] {
    const n = Math.max(0, Math.floor(count));
    const newest = this.#sorted[0]?.createdSec ?? Math.floor(this.#opts.now / 1000) - 3600;
    const limit = Math.max(newest + n + 1, Math.floor(this.#opts.now / 1000) + 300);
    const step = Math.max(1, Math.min(180, Math.floor((limit - newest) / (n + 1))));
    const added: Skeleton[] = [];
    let created = newest;
    for (let i = 0; i < n; i++) {
      created += step;
      const jittered = step >= 3 ? created - this.#rng.int(0, Math.floor(step / 3)) : created;
      added.push(this.#makeSkeleton(this.#nextSlot++, Math.max(jittered, (added[added.length - 1]?.createdSec ?? newest) + 1), pending));
    }
    this.#sorted.push(...added);
    this.#resort();
    return added;
  }

  /** Re-sorts after created_at changed. */
  touch(): void {
    this.#resort();
  }

  /**
   * The meetings in ascending order of `rank` (compared element by element), kept until the next
   * change (one array per order name).
   */
  sortedBy(name: string, rank: (sk: Skeleton) => readonly number[]): readonly Skeleton[] {
    let list = this.#orders.get(name);
    if (!list) {
      list = this.#sorted
        .map((sk) => ({ sk, key: rank(sk) }))
        .sort((a, b) => compareRanks(a.key, b.key))
        .map((x) => x.sk);
      this.#orders.set(name, list);
    }
    return list;
  }

  #resort(): void {
    this.#sorted.sort(compareDesc);
    this.#orders.clear();
  }

  #uniqueId(slot: number): number {
    for (;;) {
      // Roughly increasing with time but neither sequential nor in created_at order.
      const id = 48_000_000 + slot * 1000 + this.#rng.int(0, 2999);
      if (!this.#ids.has(id)) {
        this.#ids.add(id);
        return id;
      }
    }
  }

  #makeSkeleton(slot: number, createdSec: number, pending: boolean): Skeleton {
    // Its own stream, so a share of 0 leaves every other meeting exactly as it always was.
    const share = this.#opts.outsiderShare ?? 0;
    const outsider = share > 0 && new Rng(hashInts(this.seed, SALT.outsider, slot)).chance(share);
    const sk = new Skeleton(this.#uniqueId(slot), createdSec, slot, pending, this.#build, outsider);
    this.#byId.set(sk.recordingId, sk);
    return sk;
  }
}

/** Compares two ranks element by element. */
export function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}
