import type { HttpEvent } from '../api/http.js';
import type { SkippedItem } from '../api/schemas.js';
import type { RunCounters } from '../domain/counters.js';

/** What the sync tells whoever shows its progress (the `run` command's bar or plain lines). */

export interface PageReport {
  /** The run's counters once the page is written. */
  counters: RunCounters;
  /** Slices of the window read to their end, newest first. */
  slicesDone: number;
  /** Start of the last slice read to its end: everything from there up is read (null: none yet, or from the beginning). */
  doneTo: string | null;
  /** Share of the window read to the end of a slice, 0..1, when the window has a start. */
  fraction: number | null;
}

export interface SyncReporter {
  page(report: PageReport): void;
  skipped(item: SkippedItem): void;
  /** Meetings whose summary/transcript are fetched one by one (OAuth). */
  fetchingContent?(recordingId: number): void;
}

/** A reporter for one window read: it also hears the HTTP client's waits and retries, and is stopped at the end. */
export interface WindowReporter extends SyncReporter {
  httpEvent(event: HttpEvent): void;
  stop(): void;
}

/** `endKnown`: the window has a start or a count, so a percentage and an ETA mean something. */
export type WindowReporterFactory = (window: { limit: number | null; endKnown: boolean }) => Promise<WindowReporter>;
