import type { FathomClient } from '../api/client.js';
import type { SkippedItem } from '../api/schemas.js';
import { fetchesContentPerRecording, withRecordingContent, type ListedMeeting } from '../api/recording-content.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { RunTrigger } from '../db/run-history.js';
import type { ProcessProbe, SyncStore } from '../db/sync-store.js';
import { zeroCounters, type RunCounters } from '../domain/counters.js';
import { isFiltered, type SyncFilters } from '../domain/filters.js';
import { decidePage, type PageDecision, type WindowRead } from '../domain/page-decision.js';
import { toIso } from '../domain/time.js';
import type { SyncWindow } from '../domain/window.js';
import { meetingPages, meetingQueryFor } from './page-source.js';
import type { SyncReporter } from './reporter.js';

/**
 * Reads one window of meetings from Fathom page by page and commits each page, with the run's
 * counters, in one transaction: the page source fetches, the page decision (domain/page-decision.ts)
 * says what each page means, recording content completes meetings under OAuth, the store writes.
 * It knows nothing of flags or terminals.
 */

export interface WindowSyncRequest {
  window: SyncWindow;
  filters: SyncFilters;
  trigger: RunTrigger;
  /** Signpost: "now" for this run, fixed at its start. */
  now: number;
  client: FathomClient;
  store: SyncStore;
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
  /** Time spent waiting for the rate limit (not kept in the history). */
  rateLimitWaitMs: number;
  /** The bookmark after the run. */
  bookmark: string | null;
}

export async function syncWindow(req: WindowSyncRequest): Promise<WindowSyncResult> {
  const { window, filters, store, client, clock } = req;
  const http = client.http;
  const perRecording = fetchesContentPerRecording(client);
  const stamp = () => toIso(clock.now());
  // One client may serve several runs (an incremental run and the backfill slice after it).
  const statsAtStart = { ...http.stats };
  const windowEnd = window.end ?? req.now;
  store.markInterruptedRuns(stamp(), req.processes);
  const bookmarkBefore = store.state().bookmark;
  const runId = store.startRun(
    {
      trigger: req.trigger,
      mode: window.mode,
      windowStart: window.start === null ? null : toIso(window.start),
      windowEnd: toIso(windowEnd),
      filters: { ...filters },
      pid: req.processes.pid,
    },
    stamp(),
  );

  const read: WindowRead = { window, filtered: isFiltered(filters), bookmark: bookmarkBefore ? Date.parse(bookmarkBefore) : null, now: req.now };
  const counters = zeroCounters();
  const countRequests = () => {
    counters.requests = http.stats.requests - statsAtStart.requests;
    counters.retries = http.stats.retries - statsAtStart.retries;
    counters.rateLimited = http.stats.rateLimited - statsAtStart.rateLimited;
  };
  let oldest: number | null = null;
  let bookmark: string | null = null;

  try {
    const pages = meetingPages(client, meetingQueryFor(window, filters, { withContent: !perRecording }), { readAhead: !perRecording, signal: req.signal });
    for await (const page of pages) {
      const decision: PageDecision<ListedMeeting> = decidePage(read, { counters, oldest }, page);
      counters.pages += 1;
      if (decision.readNext) pages.readAhead();
      let accepted = decision.accepted;
      let skipped: SkippedItem[] = page.skipped;
      if (perRecording) {
        const content = await withRecordingContent(accepted, {
          client,
          stored: store,
          ...(req.signal ? { signal: req.signal } : {}),
          onFetch: (id) => req.reporter?.fetchingContent?.(id),
        });
        accepted = content.meetings;
        skipped = [...skipped, ...content.skipped];
      }
      oldest = decision.oldest;
      if (decision.bookmark !== null) bookmark = toIso(decision.bookmark);
      for (const item of skipped) req.reporter?.skipped(item);
      counters.meetingsSeen += accepted.length;
      counters.itemsSkipped += skipped.length;
      countRequests();
      const written = store.commitPage({
        runId,
        meetings: accepted,
        skipped,
        counters,
        now: stamp(),
        ...(bookmark ? { bookmark } : {}),
        ...(decision.backfill ? { backfill: decision.backfill } : {}),
      });
      counters.meetingsNew += written.new;
      counters.meetingsUpdated += written.updated;
      req.reporter?.page({ counters: { ...counters }, oldestCreatedAt: oldest === null ? null : toIso(oldest), fraction: decision.fraction });
      if (!decision.readNext) break;
    }
  } catch (err) {
    countRequests();
    const interrupted = req.signal?.aborted ?? false;
    store.finishRun(runId, {
      status: interrupted ? 'interrupted' : 'failed',
      counters,
      error: errorMessage(interrupted ? req.signal!.reason : err),
      now: stamp(),
    });
    throw err;
  }
  countRequests();
  store.finishRun(runId, { status: 'ok', counters, now: stamp(), ...(bookmark ? { bookmark } : {}) });
  return {
    runId,
    mode: window.mode,
    requestedMode: window.requestedMode,
    windowStart: window.start === null ? null : toIso(window.start),
    windowEnd: toIso(windowEnd),
    counters: { ...counters },
    rateLimitWaitMs: http.stats.rateLimitWaitMs - statsAtStart.rateLimitWaitMs,
    bookmark: store.state().bookmark,
  };
}
