import type { FathomClient, MeetingQuery } from '../api/client.js';
import type { Meeting, SkippedItem, ValidatedPage } from '../api/schemas.js';
import { MeetingSchema } from '../api/schemas.js';
import type { SyncStore, RunProgress } from '../db/sync-store.js';
import type { IncomingMeeting } from '../db/meeting-store.js';
import { RecordingContentError, errorMessage } from '../core/errors.js';
import { bookmarkAfter, type SyncWindow } from './window.js';
import { tracksBackfill, type PendingBackfill } from './backfill.js';
import { toIso } from './time.js';

/**
 * The sync service: reads one window of meetings from Fathom page by page and commits each
 * page, with the run's checkpoint, in one transaction. It knows nothing of flags or terminals:
 * the command gives it a window, filters and a reporter.
 */

export interface SyncFilters {
  recordedBy?: string[];
  teams?: string[];
  calendarInviteesDomains?: string[];
  calendarInviteesDomainsType?: 'all' | 'only_internal' | 'one_or_more_external';
  meetingType?: string;
}

export interface PageReport {
  pages: number;
  meetingsSeen: number;
  meetingsNew: number;
  meetingsUpdated: number;
  itemsSkipped: number;
  /** created_at of the oldest meeting so far (pages run newest first). */
  oldestCreatedAt: string | null;
  /** Share of the window covered so far, 0..1, when it can be told. */
  fraction: number | null;
}

export interface SyncReporter {
  page(report: PageReport): void;
  skipped(item: SkippedItem): void;
  /** Meetings whose summary/transcript are fetched one by one (OAuth). */
  fetchingContent?(recordingId: number): void;
}

export interface SyncRequest {
  window: SyncWindow;
  filters: SyncFilters;
  trigger: 'manual' | 'schedule';
  /** Signpost: "now" for this run, fixed at its start. */
  now: number;
  client: FathomClient;
  store: SyncStore;
  reporter?: SyncReporter;
  signal?: AbortSignal;
}

export interface SyncResult {
  status: 'ok';
  runId: number;
  mode: string;
  requestedMode: string;
  windowStart: string | null;
  windowEnd: string | null;
  meetingsSeen: number;
  meetingsNew: number;
  meetingsUpdated: number;
  itemsSkipped: number;
  pages: number;
  requests: number;
  retries: number;
  rateLimited: number;
  rateLimitWaitMs: number;
  bookmark: string | null;
}

/** A second either side: Fathom does not document whether created_after/before are inclusive. */
const EDGE_MS = 1000;

export function isFiltered(f: SyncFilters): boolean {
  return Boolean(
    f.recordedBy?.length ||
      f.teams?.length ||
      f.calendarInviteesDomains?.length ||
      (f.calendarInviteesDomainsType && f.calendarInviteesDomainsType !== 'all') ||
      f.meetingType,
  );
}

/**
 * How a committed page changes the pending backfill: a backfill that is not done yet has read
 * everything from its oldest meeting up; any window read to its end covers its stretch. Filtered
 * runs and --last N cover only part of each stretch, so they change nothing.
 */
function backfillChange(args: {
  window: SyncWindow;
  windowEnd: number;
  filters: SyncFilters;
  done: boolean;
  oldest: number | null;
}): { read: PendingBackfill } | { completed: { start: string | null; end: string | null } } | null {
  const { window } = args;
  if (isFiltered(args.filters) || window.limit !== null) return null;
  const start = window.start === null ? null : toIso(window.start);
  if (args.done) return { completed: { start, end: window.end === null ? null : toIso(args.windowEnd) } };
  if (!tracksBackfill(window) || args.oldest === null) return null;
  return { read: { from: start, before: toIso(args.oldest) } };
}

export async function runSync(req: SyncRequest): Promise<SyncResult> {
  const { window, filters, store, client } = req;
  const http = client.http;
  const oauth = http.authKind === 'oauth';
  const nowIso = () => toIso(Date.now());
  // One client may serve several runs (an incremental run and the backfill slice after it).
  const statsAtStart = { ...http.stats };
  store.markInterruptedRuns(nowIso());
  const bookmarkBefore = store.state().bookmark;
  const runId = store.startRun(
    {
      trigger: req.trigger,
      mode: window.mode,
      windowStart: window.start === null ? null : toIso(window.start),
      windowEnd: toIso(window.end ?? req.now),
      filters: { ...filters },
    },
    nowIso(),
  );

  const query: MeetingQuery = {
    ...filters,
    createdAfter: window.start === null ? undefined : toIso(window.start - EDGE_MS),
    createdBefore: window.end === null ? undefined : toIso(window.end + EDGE_MS),
    // Under OAuth Fathom refuses summary/transcript on /meetings: they come per recording.
    include: { actionItems: true, highlights: true, crmMatches: true, summary: !oauth, transcript: !oauth },
  };
  const progress: RunProgress = {
    pages: 0,
    requests: 0,
    retries: 0,
    rateLimited: 0,
    meetingsSeen: 0,
    meetingsNew: 0,
    meetingsUpdated: 0,
    itemsSkipped: 0,
  };
  const syncCounters = () => {
    progress.requests = http.stats.requests - statsAtStart.requests;
    progress.retries = http.stats.retries - statsAtStart.retries;
    progress.rateLimited = http.stats.rateLimited - statsAtStart.rateLimited;
  };
  const windowEnd = window.end ?? req.now;
  let oldest: number | null = null;
  let bookmark: string | null = null;

  try {
    const pager = client.meetingPager(query, req.signal);
    let pending: Promise<ValidatedPage> | null = pager.fetch(null);
    while (pending) {
      const page: ValidatedPage = await pending;
      pending = null;
      progress.pages += 1;
      let accepted = page.meetings.filter(({ meeting }) => inWindow(meeting, window));
      let done = page.nextCursor === null;
      if (window.limit !== null) {
        const room = window.limit - progress.meetingsSeen;
        if (accepted.length >= room) {
          accepted = accepted.slice(0, room);
          done = true;
        }
      }
      // Pages run newest first: anything older than the window means the rest is too.
      if (window.start !== null && page.meetings.some(({ meeting }) => Date.parse(meeting.created_at) < window.start!)) done = true;
      // A slice of a resumed backfill: the rest waits for the next run.
      const sliceFull = !done && window.maxPages !== undefined && progress.pages >= window.maxPages;
      let skipped = page.skipped;
      if (oauth) {
        const content = await withRecordingContent(accepted, client, store, req);
        accepted = content.meetings;
        skipped = [...skipped, ...content.skipped];
      } else if (!done && !sliceFull) {
        // Ask for the next page now, so the server works on it while this one is written.
        pending = pager.fetch(page.nextCursor);
        pending.catch(() => {}); // its failure is handled where it is awaited
      }
      for (const { meeting } of accepted) {
        const t = Date.parse(meeting.created_at);
        if (oldest === null || t < oldest) oldest = t;
      }
      for (const item of skipped) req.reporter?.skipped(item);
      progress.meetingsSeen += accepted.length;
      progress.itemsSkipped += skipped.length;
      syncCounters();
      if (done) {
        const coveredFrom = window.limit !== null && progress.meetingsSeen >= window.limit ? oldest : window.start;
        const next = bookmarkAfter({
          window,
          filtered: isFiltered(filters),
          bookmark: bookmarkBefore ? Date.parse(bookmarkBefore) : null,
          coveredFrom,
          now: req.now,
        });
        bookmark = next === null ? null : toIso(next);
      }
      const backfill = backfillChange({ window, windowEnd, filters, done, oldest });
      const written = store.commitPage({
        runId,
        meetings: accepted,
        skipped,
        progress,
        now: nowIso(),
        ...(bookmark ? { bookmark } : {}),
        ...(backfill ? { backfill } : {}),
      });
      progress.meetingsNew += written.new;
      progress.meetingsUpdated += written.updated;
      req.reporter?.page({
        pages: progress.pages,
        meetingsSeen: progress.meetingsSeen,
        meetingsNew: progress.meetingsNew,
        meetingsUpdated: progress.meetingsUpdated,
        itemsSkipped: progress.itemsSkipped,
        oldestCreatedAt: oldest === null ? null : toIso(oldest),
        fraction: done ? 1 : coverage(window, windowEnd, oldest),
      });
      if (sliceFull) break;
      if (!done && !pending) pending = pager.fetch(page.nextCursor);
    }
  } catch (err) {
    syncCounters();
    const interrupted = req.signal?.aborted ?? false;
    store.finishRun(runId, {
      status: interrupted ? 'interrupted' : 'failed',
      progress,
      error: errorMessage(interrupted ? req.signal!.reason : err),
      now: nowIso(),
    });
    throw err;
  }
  syncCounters();
  store.finishRun(runId, { status: 'ok', progress, now: nowIso(), ...(bookmark ? { bookmark } : {}) });
  return {
    status: 'ok',
    runId,
    mode: window.mode,
    requestedMode: window.requestedMode,
    windowStart: window.start === null ? null : toIso(window.start),
    windowEnd: toIso(windowEnd),
    meetingsSeen: progress.meetingsSeen,
    meetingsNew: progress.meetingsNew,
    meetingsUpdated: progress.meetingsUpdated,
    itemsSkipped: progress.itemsSkipped,
    pages: progress.pages,
    requests: progress.requests,
    retries: progress.retries,
    rateLimited: progress.rateLimited,
    rateLimitWaitMs: http.stats.rateLimitWaitMs - statsAtStart.rateLimitWaitMs,
    bookmark: store.state().bookmark,
  };
}

function inWindow(m: Meeting, w: SyncWindow): boolean {
  const t = Date.parse(m.created_at);
  return (w.start === null || t >= w.start) && (w.end === null || t <= w.end);
}

function coverage(w: SyncWindow, end: number, oldest: number | null): number | null {
  if (w.start === null || oldest === null) return null;
  const span = end - w.start;
  return span > 0 ? Math.min(1, Math.max(0, (end - oldest) / span)) : null;
}

/**
 * The OAuth data path: /meetings without summary and transcript, then both per recording (heavy
 * calls), skipped for meetings whose content is already stored complete.
 *
 * A recording whose content Fathom refuses (403, 404, ...) or sends in a shape that fails the
 * schema (RecordingContentError) must not fail the run, nor every later run that meets it again.
 * Its meeting is kept as the list gave it, so content_complete = 0 and the next run asks again,
 * and the problem is reported like an invalid list item (items_skipped, skipped_items). Anything
 * else (401 after renewal, retries spent, an abort) is the run's problem and is rethrown.
 */
async function withRecordingContent(
  meetings: IncomingMeeting[],
  client: FathomClient,
  store: SyncStore,
  req: SyncRequest,
): Promise<{ meetings: IncomingMeeting[]; skipped: SkippedItem[] }> {
  const out: IncomingMeeting[] = [];
  const skipped: SkippedItem[] = [];
  for (const item of meetings) {
    const id = item.meeting.recording_id;
    let content: { default_summary?: unknown; transcript?: unknown } | null = store.storedContent(id);
    if (!content) {
      req.reporter?.fetchingContent?.(id);
      let summary: unknown;
      try {
        summary = await client.summary(id, req.signal);
        const transcript = await client.transcript(id, req.signal);
        content = { default_summary: summary, transcript };
      } catch (err) {
        if (!(err instanceof RecordingContentError)) throw err;
        // Keep what did arrive and what an earlier run stored: a refused call must never erase
        // a transcript or summary that is already in the database.
        const earlier = store.storedContent(id, { includeIncomplete: true });
        content = { default_summary: summary ?? earlier?.default_summary ?? null, transcript: earlier?.transcript ?? null };
        skipped.push({ recordingId: id, reason: `summary or transcript not (re)fetched; a later run that covers this meeting tries again: ${err.message}` });
      }
    }
    const raw = withSpeakerMatches({ ...(item.raw as object), ...content });
    const meeting = MeetingSchema.parse(raw);
    out.push({ meeting, raw });
  }
  return { meetings: out, skipped };
}

/**
 * Fathom fills calendar_invitees[].matched_speaker_display_name only when /meetings is asked
 * for the transcript, which OAuth clients may not do. The transcript fetched per recording
 * carries the same pairing from the other side (speaker.matched_calendar_invitee_email), so
 * the names are filled in from it: an invitee who speaks in the transcript gets their display
 * name, as with an API key. (An invitee Fathom matched who never speaks stays null.)
 */
function withSpeakerMatches(raw: Record<string, unknown>): Record<string, unknown> {
  const invitees = raw.calendar_invitees;
  const transcript = raw.transcript;
  if (!Array.isArray(invitees) || !Array.isArray(transcript) || transcript.length === 0) return raw;
  const byEmail = new Map<string, string>();
  for (const item of transcript) {
    const speaker = (item as { speaker?: { display_name?: unknown; matched_calendar_invitee_email?: unknown } } | null)?.speaker;
    const email = speaker?.matched_calendar_invitee_email;
    if (typeof email === 'string' && typeof speaker?.display_name === 'string' && !byEmail.has(email.toLowerCase())) {
      byEmail.set(email.toLowerCase(), speaker.display_name);
    }
  }
  return {
    ...raw,
    calendar_invitees: invitees.map((invitee: unknown) => {
      const i = invitee as { email?: unknown; matched_speaker_display_name?: unknown } | null;
      if (!i || typeof i !== 'object' || (i.matched_speaker_display_name !== null && i.matched_speaker_display_name !== undefined)) return invitee;
      const name = typeof i.email === 'string' ? byEmail.get(i.email.toLowerCase()) : undefined;
      return name === undefined ? invitee : { ...i, matched_speaker_display_name: name };
    }),
  };
}
