import type { Db } from './db.js';
import { MeetingWriter, type IncomingMeeting, type PageWriteResult } from './meeting-store.js';
import { advanceBookmark, ensureSyncState, readPendingBackfill, readSyncState, recordError, recordSuccess, writePendingBackfill, type SyncState } from './sync-state.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import type { FinishedRun, PageCommit, ProcessProbe, RunOutcome, RunStart, SyncTarget } from './sync-target.js';
import type { RunStatus, RunTrigger } from './run-history.js';
import type { SkippedItem } from '../api/schemas.js';
import { applyBackfillChange, type BackfillChange, type PendingBackfill } from '../domain/backfill.js';
import { toCounterFields, withWritten, type RunCounters } from '../domain/counters.js';
import { contentRetryDue } from '../domain/content-retry.js';

export type { ProcessProbe, RunStart } from './sync-target.js';

const UPDATE_COUNTERS = `pages = @pages, requests = @requests, retries = @retries, rate_limited = @rate_limited,
  meetings_seen = @meetings_seen, meetings_new = @meetings_new, meetings_updated = @meetings_updated, items_skipped = @items_skipped`;

/**
 * What a sync writes: its run rows, the meetings of each page, and sync_state (the bookmark, a
 * pending backfill, the last success or error), tied together in one transaction per page. Every
 * time it is given is already canonical (domain/time.ts).
 */
export class SyncStore implements SyncTarget {
  private readonly db: Db;
  readonly #writer: MeetingWriter;
  /** The account (profile) this store syncs: its state, its runs, the meetings it sees. */
  readonly account: string;

  constructor(db: Db, account: string = DEFAULT_PROFILE) {
    this.db = db;
    this.account = account;
    this.#writer = new MeetingWriter(db);
  }

  state(): SyncState {
    return readSyncState(this.db, this.account);
  }

  /** The stretch an unfinished backfill may have left missing, or null. */
  pendingBackfill(): PendingBackfill | null {
    return readPendingBackfill(this.db, this.account);
  }

  /** How many of the account's stored meetings were created from `from` up to `to` (both inclusive): what sizes a slice. */
  countCreatedBetween(from: string, to: string): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM meetings m JOIN account_meetings am ON am.recording_id = m.recording_id AND am.account = ? WHERE m.created_at >= ? AND m.created_at <= ?')
        .get(this.account, from, to) as { n: number }
    ).n;
  }

  /** Nothing to let go: the connection is the caller's. */
  close(): void {}

  /**
   * created_at of the oldest meeting since `since` whose summary or transcript Fathom had not
   * produced yet and that is due to be asked again (domain/content-retry.ts: fewer than `tries`
   * tries, or the last one at or before `retryCutoff`).
   */
  oldestIncompleteSince(since: string, due: { tries: number; retryCutoff: string }): string | null {
    const row = this.db
      .prepare(
        `SELECT MIN(m.created_at) AS at FROM meetings m JOIN account_meetings am ON am.recording_id = m.recording_id AND am.account = ?
          WHERE m.content_complete = 0 AND m.created_at >= ?
            AND (m.content_attempts < ? OR m.content_checked_at IS NULL OR m.content_checked_at <= ?)`,
      )
      .get(this.account, since, due.tries, due.retryCutoff) as { at: string | null };
    return row.at;
  }

  /** Whether an incomplete stored meeting is due to be asked for its content again at `now` (true when not stored or complete). */
  contentRetryDue(recordingId: number, now: number): boolean {
    const row = this.db.prepare('SELECT content_complete, content_attempts, content_checked_at FROM meetings WHERE recording_id = ?').get(recordingId) as
      | { content_complete: number; content_attempts: number; content_checked_at: string | null }
      | undefined;
    if (!row || row.content_complete === 1) return true;
    return contentRetryDue({ attempts: row.content_attempts, checkedAt: row.content_checked_at }, now);
  }

  /** The stored summary and transcript of a meeting whose content is complete (or any stored meeting, with includeIncomplete), else null. */
  storedContent(recordingId: number, options: { includeIncomplete?: boolean } = {}): { default_summary: unknown; transcript: unknown } | null {
    const sql = `SELECT raw_json FROM meetings WHERE recording_id = ?${options.includeIncomplete ? '' : ' AND content_complete = 1'}`;
    const row = this.db.prepare(sql).get(recordingId) as { raw_json: string } | undefined;
    if (!row) return null;
    const raw = JSON.parse(row.raw_json) as { default_summary?: unknown; transcript?: unknown };
    return { default_summary: raw.default_summary ?? null, transcript: raw.transcript ?? null };
  }

  /** Runs left "running" by a process that no longer exists were interrupted (kill -9, power loss). */
  markInterruptedRuns(now: string, processes: ProcessProbe): number {
    const rows = this.db.prepare("SELECT id, pid FROM sync_runs WHERE status = 'running' AND account = ?").all(this.account) as { id: number; pid: number | null }[];
    const dead = rows.filter((r) => r.pid === null || (r.pid !== processes.pid && !processes.isProcessAlive(r.pid)));
    const mark = this.db.prepare("UPDATE sync_runs SET status = 'interrupted', ended_at = ?, error = 'the process stopped before the run finished' WHERE id = ?");
    this.db.transaction(() => dead.forEach((r) => mark.run(now, r.id)))();
    return dead.length;
  }

  startRun(run: RunStart, now: string): number {
    ensureSyncState(this.db, this.account);
    const info = this.db
      .prepare(
        `INSERT INTO sync_runs (account, trigger, mode, window_start, window_end, filters_json, pid, started_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running')`,
      )
      .run(this.account, run.trigger, run.mode, run.windowStart, run.windowEnd, JSON.stringify(run.filters), run.pid, now);
    return Number(info.lastInsertRowid);
  }

  /**
   * One page, atomically: its meetings with all child rows, the skipped-item reports, the run's
   * counters (`counters` as they stand before this page's writes; what it writes is added) and, on
   * the page that completes a slice, the new bookmark and what the slice did to a pending backfill
   * (`backfill`: changes applied in order; a backfill's first page registers its stretch). Killed
   * at any instant, the database holds either all of this page or none of it, and neither the
   * bookmark nor the pending backfill ever runs ahead of the data.
   */
  commitPage(args: {
    runId: number;
    meetings: IncomingMeeting[];
    skipped: SkippedItem[];
    counters: RunCounters;
    now: string;
    /** When the content of these meetings was asked for (the run's "now"; default `now`). */
    contentAskedAt?: string;
    bookmark?: string;
    backfill?: BackfillChange[];
  }): PageWriteResult {
    return this.db.transaction(() => {
      const result: PageWriteResult = { new: 0, updated: 0, unchanged: 0 };
      this.#writer.forgetTeam();
      const seen = this.db.prepare(
        `INSERT INTO account_meetings (account, recording_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (account, recording_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
      );
      for (const incoming of args.meetings) {
        result[this.#writer.write(incoming, args.now, args.contentAskedAt ?? args.now)] += 1;
        seen.run(this.account, incoming.meeting.recording_id, args.now, args.now);
      }
      const skip = this.db.prepare('INSERT INTO skipped_items (run_id, recording_id, reason) VALUES (?, ?, ?)');
      for (const s of args.skipped) skip.run(args.runId, s.recordingId, s.reason);
      this.#saveCounters(args.runId, withWritten(args.counters, result));
      if (args.bookmark) advanceBookmark(this.db, this.account, args.bookmark);
      if (args.backfill?.length) writePendingBackfill(this.db, this.account, args.backfill.reduce<PendingBackfill | null>(applyBackfillChange, this.pendingBackfill()));
      return result;
      // IMMEDIATE: the page reads before it writes, and a deferred transaction whose snapshot another
      // account's sync has written past cannot become a writer (SQLITE_BUSY at once, busy timeout or not).
    }).immediate();
  }

  finishRun(runId: number, outcome: { status: Exclude<RunStatus, 'running' | 'skipped'>; counters: RunCounters; error?: string; now: string; bookmark?: string }): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE sync_runs SET status = ?, ended_at = ?, error = ? WHERE id = ?').run(outcome.status, outcome.now, outcome.error ?? null, runId);
      this.#saveCounters(runId, outcome.counters);
      if (outcome.bookmark) advanceBookmark(this.db, this.account, outcome.bookmark);
      if (outcome.status === 'ok') recordSuccess(this.db, this.account, outcome.now, runId);
      else recordError(this.db, this.account, outcome.error ?? 'failed', outcome.now, runId);
    })();
  }

  /**
   * A run that ended before it could sync (no credential, another sync running): one finished
   * row, so `log` and `doctor` show the hourly job's refusals and not only its successes.
   */
  recordRefusedRun(run: { trigger: RunTrigger; mode: string; status: 'failed' | 'skipped'; error: string; now: string; pid: number }): number {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO sync_runs (account, trigger, mode, pid, started_at, ended_at, status, error)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(this.account, run.trigger, run.mode, run.pid, run.now, run.now, run.status, run.error);
      const id = Number(info.lastInsertRowid);
      if (run.status === 'failed') recordError(this.db, this.account, run.error, run.now, id);
      return id;
    })();
  }

  /**
   * A run the database could not take when it ended (another program held it for writing), written
   * by a later run: the row it left "running" is finished as failed with the reason; a run that
   * never got a row gets a finished one (skipped).
   */
  recordUnrecordedRun(run: { trigger: RunTrigger; mode: string; status: 'failed' | 'skipped'; error: string; now: string; pid: number }): number {
    return this.db.transaction(() => {
      const left = this.db.prepare("SELECT id FROM sync_runs WHERE status = 'running' AND account = ? AND pid = ? AND started_at <= ? ORDER BY id DESC LIMIT 1").get(this.account, run.pid, run.now) as { id: number } | undefined;
      if (!left) return this.recordRefusedRun(run);
      this.db.prepare("UPDATE sync_runs SET status = 'failed', ended_at = ?, error = ? WHERE id = ?").run(run.now, run.error, left.id);
      recordError(this.db, this.account, run.error, run.now, left.id);
      return left.id;
    }).immediate();
  }

  #saveCounters(runId: number, counters: RunCounters): void {
    this.db.prepare(`UPDATE sync_runs SET ${UPDATE_COUNTERS} WHERE id = @id`).run({ ...toCounterFields(counters), id: runId });
  }
}
