import os from 'node:os';
import type { Db } from './database.js';
import { MeetingWriter, type IncomingMeeting, type PageWriteResult } from './meeting-store.js';
import type { SkippedItem } from '../api/schemas.js';
import { isProcessAlive } from '../core/lock.js';
import { afterBackfillPage, afterCompleteWindow, type PendingBackfill } from '../sync/backfill.js';

export interface RunRecord {
  trigger: 'manual' | 'schedule';
  mode: string;
  windowStart: string | null;
  windowEnd: string | null;
  filters: Record<string, unknown>;
}

/** The run's counters, saved with each page (the run's checkpoint). */
export interface RunProgress {
  pages: number;
  requests: number;
  retries: number;
  rateLimited: number;
  meetingsSeen: number;
  meetingsNew: number;
  meetingsUpdated: number;
  itemsSkipped: number;
}

export interface SyncStateRow {
  bookmark: string | null;
  last_success_at: string | null;
  last_run_id: number | null;
  last_error: string | null;
  last_error_at: string | null;
}

export interface RunRow {
  id: number;
  trigger: string;
  mode: string;
  window_start: string | null;
  window_end: string | null;
  started_at: string;
  ended_at: string | null;
  status: string;
  pages: number;
  requests: number;
  retries: number;
  rate_limited: number;
  meetings_seen: number;
  meetings_new: number;
  meetings_updated: number;
  items_skipped: number;
  error: string | null;
}

/** Sync bookkeeping: runs, the bookmark, and the per-page transaction that ties them to the data. */
export class SyncStore {
  readonly db: Db;
  readonly #writer: MeetingWriter;

  constructor(db: Db) {
    this.db = db;
    this.#writer = new MeetingWriter(db);
  }

  state(): SyncStateRow {
    return this.db.prepare('SELECT bookmark, last_success_at, last_run_id, last_error, last_error_at FROM sync_state WHERE id = 1').get() as SyncStateRow;
  }

  /** The stretch an unfinished backfill may have left missing, or null. */
  pendingBackfill(): PendingBackfill | null {
    const row = this.db.prepare('SELECT backfill_from, backfill_before FROM sync_state WHERE id = 1').get() as { backfill_from: string | null; backfill_before: string | null };
    return row.backfill_before === null ? null : { from: row.backfill_from, before: row.backfill_before };
  }

  #setPendingBackfill(next: PendingBackfill | null): void {
    this.db.prepare('UPDATE sync_state SET backfill_from = ?, backfill_before = ? WHERE id = 1').run(next?.from ?? null, next?.before ?? null);
  }

  /** created_at of the oldest meeting whose summary or transcript Fathom had not produced yet. */
  oldestIncompleteSince(since: string): string | null {
    const row = this.db.prepare('SELECT MIN(created_at) AS at FROM meetings WHERE content_complete = 0 AND created_at >= ?').get(since) as { at: string | null };
    return row.at;
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
  markInterruptedRuns(now: string): number {
    const rows = this.db.prepare("SELECT id, pid FROM sync_runs WHERE status = 'running'").all() as { id: number; pid: number | null }[];
    const dead = rows.filter((r) => r.pid === null || (r.pid !== process.pid && !isProcessAlive(r.pid)));
    const mark = this.db.prepare("UPDATE sync_runs SET status = 'interrupted', ended_at = ?, error = 'the process stopped before the run finished' WHERE id = ?");
    this.db.transaction(() => dead.forEach((r) => mark.run(now, r.id)))();
    return dead.length;
  }

  startRun(run: RunRecord, now: string): number {
    const info = this.db
      .prepare(
        `INSERT INTO sync_runs (trigger, mode, window_start, window_end, filters_json, pid, started_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running')`,
      )
      .run(run.trigger, run.mode, run.windowStart, run.windowEnd, JSON.stringify(run.filters), process.pid, now);
    return Number(info.lastInsertRowid);
  }

  /**
   * One page, atomically: its meetings with all child rows, the skipped-item reports, the run's
   * counters and, on the page that completes the window, the new bookmark. Killed at any
   * instant, the database holds either all of this page or none of it, and the bookmark never
   * runs ahead of the data.
   */
  commitPage(args: {
    runId: number;
    meetings: IncomingMeeting[];
    skipped: SkippedItem[];
    progress: RunProgress;
    now: string;
    bookmark?: string;
    /** How this page changes the pending backfill: a backfill's progress, or a window read to its end. */
    backfill?: { read: PendingBackfill } | { completed: { start: string | null; end: string | null } };
  }): PageWriteResult {
    return this.db.transaction(() => {
      const result: PageWriteResult = { new: 0, updated: 0, unchanged: 0 };
      this.#writer.forgetTeam();
      for (const incoming of args.meetings) result[this.#writer.write(incoming, args.now)] += 1;
      const skip = this.db.prepare('INSERT INTO skipped_items (run_id, recording_id, reason) VALUES (?, ?, ?)');
      for (const s of args.skipped) skip.run(args.runId, s.recordingId, s.reason);
      const p = args.progress;
      this.db
        .prepare(
          `UPDATE sync_runs SET pages = ?, requests = ?, retries = ?, rate_limited = ?, meetings_seen = ?,
             meetings_new = ?, meetings_updated = ?, items_skipped = ? WHERE id = ?`,
        )
        .run(
          p.pages,
          p.requests,
          p.retries,
          p.rateLimited,
          p.meetingsSeen,
          p.meetingsNew + result.new,
          p.meetingsUpdated + result.updated,
          p.itemsSkipped,
          args.runId,
        );
      if (args.bookmark) this.#advanceBookmark(args.bookmark);
      if (args.backfill) {
        const pending = this.pendingBackfill();
        this.#setPendingBackfill('read' in args.backfill ? afterBackfillPage(pending, args.backfill.read) : afterCompleteWindow(pending, args.backfill.completed));
      }
      return result;
    })();
  }

  #recordError(error: string, at: string, runId: number): void {
    this.db.prepare('UPDATE sync_state SET last_error = ?, last_error_at = ?, last_run_id = ? WHERE id = 1').run(error, at, runId);
  }

  /** The bookmark only ever moves forward. */
  #advanceBookmark(to: string): void {
    this.db
      .prepare('UPDATE sync_state SET bookmark = ? WHERE id = 1 AND (bookmark IS NULL OR bookmark < ?)')
      .run(to, to);
  }

  finishRun(runId: number, outcome: { status: 'ok' | 'failed' | 'interrupted'; progress: RunProgress; error?: string; now: string; bookmark?: string }): void {
    this.db.transaction(() => {
      const p = outcome.progress;
      this.db
        .prepare(
          `UPDATE sync_runs SET status = ?, ended_at = ?, error = ?, pages = ?, requests = ?, retries = ?, rate_limited = ?,
             meetings_seen = ?, meetings_new = ?, meetings_updated = ?, items_skipped = ? WHERE id = ?`,
        )
        .run(
          outcome.status,
          outcome.now,
          outcome.error ?? null,
          p.pages,
          p.requests,
          p.retries,
          p.rateLimited,
          p.meetingsSeen,
          p.meetingsNew,
          p.meetingsUpdated,
          p.itemsSkipped,
          runId,
        );
      if (outcome.bookmark) this.#advanceBookmark(outcome.bookmark);
      if (outcome.status === 'ok') {
        this.db.prepare('UPDATE sync_state SET last_success_at = ?, last_run_id = ? WHERE id = 1').run(outcome.now, runId);
      } else {
        this.#recordError(outcome.error ?? 'failed', outcome.now, runId);
      }
    })();
  }

  /**
   * A run that ended before it could sync (no credential, another sync running): one finished
   * row, so `log` and `doctor` show the hourly job's refusals and not only its successes.
   */
  recordRefusedRun(run: { trigger: RunRecord['trigger']; mode: string; status: 'failed' | 'skipped'; error: string; now: string }): number {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO sync_runs (trigger, mode, pid, started_at, ended_at, status, error)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(run.trigger, run.mode, process.pid, run.now, run.now, run.status, run.error);
      const id = Number(info.lastInsertRowid);
      if (run.status === 'failed') {
        this.#recordError(run.error, run.now, id);
      }
      return id;
    })();
  }

  /** The newest run that tried to sync; runs skipped because another sync was running do not count. */
  lastAttemptedRun(): RunRow | null {
    return (this.db.prepare("SELECT * FROM sync_runs WHERE status <> 'skipped' ORDER BY id DESC LIMIT 1").get() as RunRow | undefined) ?? null;
  }

  recentRuns(limit: number): RunRow[] {
    return this.db.prepare('SELECT * FROM sync_runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[];
  }

  meetingCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM meetings').get() as { n: number }).n;
  }
}

export const hostName = (): string => os.hostname();
