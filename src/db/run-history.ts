import type { Db } from './db.js';
import { fromCounterFields, type CounterFields, type RunCounters } from '../domain/counters.js';

/**
 * Reading and pruning the run history (sync_runs) for `log`, `status`, `doctor` and the tidy-up at
 * the end of a run. The rows are written by the sync store.
 */

export type RunTrigger = 'manual' | 'schedule';
export type RunStatus = 'running' | 'ok' | 'failed' | 'interrupted' | 'skipped';

/** One sync run as the history keeps it. */
export interface RunRecord {
  id: number;
  trigger: string;
  mode: string;
  status: string;
  windowStart: string | null;
  windowEnd: string | null;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
  counters: RunCounters;
}

interface RunRow extends CounterFields {
  id: number;
  trigger: string;
  mode: string;
  window_start: string | null;
  window_end: string | null;
  started_at: string;
  ended_at: string | null;
  status: string;
  error: string | null;
}

const COLUMNS = `id, trigger, mode, window_start, window_end, started_at, ended_at, status, error,
  pages, requests, retries, rate_limited, meetings_seen, meetings_new, meetings_updated, items_skipped`;

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    trigger: row.trigger,
    mode: row.mode,
    status: row.status,
    windowStart: row.window_start,
    windowEnd: row.window_end,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    error: row.error,
    counters: fromCounterFields(row),
  };
}

export class RunHistory {
  constructor(private readonly db: Db) {}

  /** The newest runs first. */
  recent(limit: number): RunRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM sync_runs ORDER BY id DESC LIMIT ?`).all(limit) as RunRow[]).map(toRecord);
  }

  /** The newest run that tried to sync; runs skipped because another sync was running do not count. */
  lastAttempted(): RunRecord | null {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM sync_runs WHERE status <> 'skipped' ORDER BY id DESC LIMIT 1`).get() as RunRow | undefined;
    return row ? toRecord(row) : null;
  }

  /**
   * Deletes runs (and, by cascade, their skipped_items) that started before `cutoff`. The run
   * sync_state points at is kept so the last result is never lost, and running rows are left to
   * the sync store's markInterruptedRuns.
   */
  pruneStartedBefore(cutoff: string): number {
    const info = this.db
      .prepare(
        `DELETE FROM sync_runs
          WHERE started_at < ? AND status <> 'running'
            AND id IS NOT (SELECT last_run_id FROM sync_state WHERE id = 1)`,
      )
      .run(cutoff);
    return info.changes;
  }
}
