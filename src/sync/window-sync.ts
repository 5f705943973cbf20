import type { FathomClient } from '../api/client.js';
import type { SkippedItem } from '../api/schemas.js';
import { fetchesContentPerRecording, withRecordingContent, type ListedMeeting } from '../api/recording-content.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { RunTrigger } from '../db/run-history.js';
import type { ProcessProbe, SyncTarget } from '../db/sync-target.js';
import { tracksBackfill, type BackfillChange } from '../domain/backfill.js';
import { zeroCounters, type RunCounters } from '../domain/counters.js';
import { isFiltered, type SyncFilters } from '../domain/filters.js';
import {
  DEFAULT_PAGE_SIZE,
  FIRST_LAST_WINDOW_MS,
  FIRST_SLICE_MS,
  SLICE_PAGES,
  fitSpan,
  keepNewest,
  nextSpan,
  sliceStart,
  type Slice,
} from '../domain/slices.js';
import { toIso } from '../domain/time.js';
import { bookmarkAfter, type SyncWindow } from '../domain/window.js';
import type { SyncReporter } from './reporter.js';
import { slicePages, type SlicePage, type SliceSource } from './slice-pages.js';

/**
 * Reads one run's window of meetings from Fathom and commits each page, with the run's counters,
 * in one transaction. Fathom's pages come in no order a client can rely on (notes §5), so a window
 * is read as time slices (domain/slices.ts), newest first, each to its last page:
 * - quick and incremental: the window is one slice;
 * - --all, --since (with or without --until) and a resumed backfill: slices sized from the density
 *   seen so far; a backfill's stretch is registered as pending with its first page and shrinks only
 *   with the last page of each slice (the same transaction), so a run stopped at any instant leaves
 *   nothing behind that the hourly runs would believe stored; a resumed backfill stops at its page
 *   budget, its unfinished slice left pending;
 * - --last N: windows back from now, each read to its last page, until the windows read hold N
 *   meetings; the N newest are written (only those), a window at a time once it is read.
 * Recording content completes meetings under OAuth; the store writes. It knows nothing of flags or
 * terminals.
 */

export interface WindowSyncRequest {
  window: SyncWindow;
  filters: SyncFilters;
  /** Recorders outside the organisation whose shared calls every slice also asks for (recorded_by[]). */
  recorders?: readonly string[];
  trigger: RunTrigger;
  /** Signpost: "now" for this run, fixed at its start. */
  now: number;
  client: FathomClient;
  store: SyncTarget;
  /** The clock of the run's own timestamps (started, each page, ended). */
  clock: Clock;
  /** This process, and whether the process of a run left "running" still exists. */
  processes: ProcessProbe;
  reporter?: SyncReporter;
  signal?: AbortSignal;
}

export interface WindowSyncResult {
  runId: number;
  mode: string;
  requestedMode: string;
  windowStart: string | null;
  windowEnd: string;
  counters: RunCounters;
  /** Slices read to their end. */
  slices: number;
  /** Time spent waiting for the rate limit (not kept in the history). */
  rateLimitWaitMs: number;
  /** The bookmark after the run. */
  bookmark: string | null;
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : toIso(ms));

export async function syncWindow(req: WindowSyncRequest): Promise<WindowSyncResult> {
  const { window, filters, store, clock } = req;
  const http = req.client.http;
  // One client may serve several runs (an incremental run and the backfill slice after it).
  const statsAtStart = { ...http.stats };
  const windowEnd = window.end ?? req.now;
  const stamp = () => toIso(clock.now());
  await store.markInterruptedRuns(stamp(), req.processes);
  const runId = await store.startRun(
    {
      trigger: req.trigger,
      mode: window.mode,
      windowStart: isoOrNull(window.start),
      windowEnd: toIso(windowEnd),
      filters: { ...filters },
      pid: req.processes.pid,
    },
    stamp(),
  );
  const run = new WindowRun(req, runId, statsAtStart, (await store.state()).bookmark);
  let bookmark: string | null;
  try {
    bookmark = window.limit !== null ? await run.readNewest(window.limit) : await run.walk();
  } catch (err) {
    run.countRequests();
    const interrupted = req.signal?.aborted ?? false;
    await store.finishRun(runId, {
      status: interrupted ? 'interrupted' : 'failed',
      counters: run.counters,
      error: errorMessage(interrupted ? req.signal!.reason : err),
      now: stamp(),
    });
    throw err;
  }
  run.countRequests();
  await store.finishRun(runId, { status: 'ok', counters: run.counters, now: stamp(), ...(bookmark ? { bookmark } : {}) });
  return {
    runId,
    mode: window.mode,
    requestedMode: window.requestedMode,
    windowStart: isoOrNull(window.start),
    windowEnd: toIso(windowEnd),
    counters: { ...run.counters },
    slices: run.slicesDone,
    rateLimitWaitMs: http.stats.rateLimitWaitMs - statsAtStart.rateLimitWaitMs,
    bookmark: (await store.state()).bookmark,
  };
}

/** One run's reading: its counters, where its slices have got to, and how a page is written. */
class WindowRun {
  readonly counters = zeroCounters();
  slicesDone = 0;
  readonly #req: WindowSyncRequest;
  readonly #runId: number;
  readonly #statsAtStart: { requests: number; retries: number; rateLimited: number };
  readonly #source: SliceSource;
  readonly #filtered: boolean;
  readonly #bookmarkAtStart: number | null;
  /** Start of the last slice read to its end (everything from there up is read); null before one is. */
  #doneTo: number | null = null;

  constructor(req: WindowSyncRequest, runId: number, statsAtStart: { requests: number; retries: number; rateLimited: number }, bookmark: string | null) {
    this.#req = req;
    this.#runId = runId;
    this.#statsAtStart = statsAtStart;
    this.#filtered = isFiltered(req.filters);
    this.#bookmarkAtStart = bookmark ? Date.parse(bookmark) : null;
    this.#source = {
      client: req.client,
      filters: req.filters,
      recorders: req.recorders ?? [],
      perRecording: fetchesContentPerRecording(req.client),
      ...(req.signal ? { signal: req.signal } : {}),
      runSeen: new Set(),
      runSkipped: new Set(),
      pageSize: null,
    };
  }

  countRequests(): void {
    const stats = this.#req.client.http.stats;
    this.counters.requests = stats.requests - this.#statsAtStart.requests;
    this.counters.retries = stats.retries - this.#statsAtStart.retries;
    this.counters.rateLimited = stats.rateLimited - this.#statsAtStart.rateLimited;
  }

  get #pageSize(): number {
    return this.#source.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  #storedBetween = (from: number, to: number): Promise<number> | number => this.#req.store.countCreatedBetween(toIso(from), toIso(to));

  /**
   * Every mode but --last: the window as slices, newest first, each to its last page. Quick and
   * incremental windows are one slice; a resumed backfill stops at its page budget. Returns the
   * bookmark for finishRun (it moved with the page that completed the top slice already).
   */
  async walk(): Promise<string | null> {
    const { window, now } = this.#req;
    const single = window.mode === 'quick' || window.mode === 'incremental';
    const budget = window.maxPages ?? Infinity;
    // Meetings a slice should hold: a resumed slice must fit in what is left of the budget.
    const wanted = () => (budget === Infinity ? SLICE_PAGES : Math.floor((budget - this.counters.pages) * 0.6)) * this.#pageSize;
    let register = !this.#filtered && tracksBackfill(window);
    let end = window.end;
    let upper = end ?? now;
    let span = FIRST_SLICE_MS;
    for (;;) {
      const start = single ? window.start : sliceStart(upper, window.start, await fitSpan({ upper, spanMs: span, wanted: wanted(), storedBetween: this.#storedBetween }));
      const slice: Slice = { start, end };
      let meetings = 0;
      for await (const page of slicePages(this.#source, slice)) {
        this.counters.pages += 1;
        const changes: BackfillChange[] = [];
        // The stretch a backfill means to read is pending from its first page on.
        if (register) changes.push({ register: { from: isoOrNull(window.start), before: toIso(end ?? now) } });
        register = false;
        let bookmark: number | null = null;
        if (page.sliceDone && !this.#filtered) {
          changes.push({ completed: { start: isoOrNull(slice.start), end: isoOrNull(slice.end) } });
          bookmark = bookmarkAfter({ window: { ...window, end: slice.end }, filtered: false, bookmark: this.#bookmarkAtStart, coveredFrom: slice.start, now });
        }
        meetings += page.meetings.length;
        if (page.sliceDone) this.#sliceDone(slice);
        await this.#write(page, { backfill: changes, ...(bookmark !== null ? { bookmark: toIso(bookmark) } : {}) });
        if (!page.sliceDone && this.counters.pages >= budget) return null; // a resumed slice left for the next run
      }
      if (slice.start === window.start || slice.start === null) return null;
      if (budget - this.counters.pages < 2) return null;
      span = nextSpan({ spanMs: upper - slice.start, meetings }, wanted());
      upper = slice.start;
      end = slice.start;
    }
  }

  /**
   * --last N: windows back from now, each read to its last page, keeping the newest meetings that
   * may still be among the N newest; once a window is read, what it kept is written (every later
   * window is older). Ends when N are written or the beginning is reached. Returns the bookmark:
   * everything from the Nth newest meeting up is stored.
   */
  async readNewest(n: number): Promise<string | null> {
    const { now } = this.#req;
    let end: number | null = null;
    let upper = now;
    let span = FIRST_LAST_WINDOW_MS;
    let written = 0;
    let oldest: number | null = null;
    for (;;) {
      const wanted = n - written;
      const slice: Slice = { start: sliceStart(upper, null, await fitSpan({ upper, spanMs: span, wanted, storedBetween: this.#storedBetween })), end };
      let kept: ListedMeeting[] = [];
      let meetings = 0;
      for await (const page of slicePages(this.#source, slice)) {
        this.counters.pages += 1;
        kept = keepNewest(kept, page.meetings, n - written);
        meetings += page.meetings.length;
        if (page.sliceDone) this.#sliceDone(slice);
        // The page's skipped items and the counters now; its meetings once the window is read.
        await this.#write({ meetings: [], skipped: page.skipped, sliceDone: page.sliceDone }, {});
      }
      // In page-sized transactions, like pages.
      for (let i = 0; i < kept.length; i += this.#pageSize) {
        await this.#write({ meetings: kept.slice(i, i + this.#pageSize), skipped: [], sliceDone: false }, {}, false);
      }
      if (kept.length > 0) this.#report();
      written += kept.length;
      if (kept.length > 0) oldest = Date.parse(kept.at(-1)!.meeting.created_at);
      if (written >= n || slice.start === null) break;
      span = nextSpan({ spanMs: upper - slice.start, meetings }, Math.ceil((n - written) * 1.25));
      upper = slice.start;
      end = slice.start;
    }
    // Every meeting from the Nth newest up is stored (all of them, when fewer than N exist).
    const bookmark = bookmarkAfter({ window: this.#req.window, filtered: this.#filtered, bookmark: this.#bookmarkAtStart, coveredFrom: written >= n ? oldest : null, now });
    return bookmark === null ? null : toIso(bookmark);
  }

  #sliceDone(slice: Slice): void {
    this.slicesDone += 1;
    this.#doneTo = slice.start;
  }

  /** Completes a page's meetings (OAuth), writes it in one transaction and reports it. */
  async #write(page: SlicePage, extra: { backfill?: BackfillChange[]; bookmark?: string }, report = true): Promise<void> {
    const { store, reporter, client, signal } = this.#req;
    let meetings = page.meetings;
    let skipped: SkippedItem[] = page.skipped;
    if (this.#source.perRecording && meetings.length > 0) {
      const content = await withRecordingContent(meetings, {
        client,
        stored: store,
        ...(signal ? { signal } : {}),
        onFetch: (id) => reporter?.fetchingContent?.(id),
        retryDue: (id) => store.contentRetryDue(id, this.#req.now),
      });
      meetings = content.meetings;
      skipped = [...skipped, ...content.skipped];
    }
    for (const item of skipped) reporter?.skipped(item);
    this.counters.meetingsSeen += meetings.length;
    this.counters.itemsSkipped += skipped.length;
    this.countRequests();
    const written = await store.commitPage({
      runId: this.#runId,
      meetings,
      skipped,
      counters: this.counters,
      now: toIso(this.#req.clock.now()),
      contentAskedAt: toIso(this.#req.now),
      ...(extra.bookmark ? { bookmark: extra.bookmark } : {}),
      ...(extra.backfill?.length ? { backfill: extra.backfill } : {}),
    });
    this.counters.meetingsNew += written.new;
    this.counters.meetingsUpdated += written.updated;
    if (report) this.#report();
  }

  #report(): void {
    this.#req.reporter?.page({ counters: { ...this.counters }, doneTo: isoOrNull(this.#doneTo), slicesDone: this.slicesDone, fraction: this.#fraction() });
  }

  /** Share of the window read to the end of a slice, when the window has a start and a slice is done. */
  #fraction(): number | null {
    const { window, now } = this.#req;
    if (window.limit !== null || window.start === null) return null;
    const top = window.end ?? now;
    const span = top - window.start;
    // Nothing is known before a slice is read to its end: pages come in no order.
    if (this.#doneTo === null || span <= 0) return null;
    return Math.min(1, Math.max(0, (top - this.#doneTo) / span));
  }
}
