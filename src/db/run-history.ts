import type { Db } from './db.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import { hasAccounts } from './migrate.js';
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
  /** The profile (account) whose run it was. */
  account: string;
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

/** A sync_runs row as either target returns it (`account` absent before schema 6). */
export interface RunRow extends CounterFields {
  id: number;
  account?: string;
  trigger: string;
  mode: string;
  window_start: string | null;
  window_end: string | null;
  started_at: string;
  ended_at: string | null;
  status: string;
  error: string | null;
}

/** The columns of a RunRow, in SQL. */
export const RUN_COLUMNS = `id, trigger, mode, window_start, window_end, started_at, ended_at, status, error,
  pages, requests, retries, rate_limited, meetings_seen, meetings_new, meetings_updated, items_skipped`;

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    account: row.account ?? DEFAULT_PROFILE,
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

  /** Columns and the condition for `account` (every account's runs when undefined); runs of a database before schema 6 are the default account's. */
  #of(account: string | undefined): { columns: string; where: string; params: unknown[] } {
    if (!hasAccounts(this.db)) return { columns: RUN_COLUMNS, where: account === undefined || account === DEFAULT_PROFILE ? '1' : '0', params: [] };
    return { columns: `account, ${RUN_COLUMNS}`, where: account === undefined ? '1' : 'account = ?', params: account === undefined ? [] : [account] };
  }

  /** The newest runs first: of one account, or of all. */
  recent(limit: number, account?: string): RunRecord[] {
    const q = this.#of(account);
    return (this.db.prepare(`SELECT ${q.columns} FROM sync_runs WHERE ${q.where} ORDER BY id DESC LIMIT ?`).all(...q.params, limit) as RunRow[]).map(toRunRecord);
  }

  /** The account's newest run that tried to sync; runs skipped because another sync was running do not count. */
  lastAttempted(account?: string): RunRecord | null {
    const q = this.#of(account);
    const row = this.db.prepare(`SELECT ${q.columns} FROM sync_runs WHERE ${q.where} AND status <> 'skipped' ORDER BY id DESC LIMIT 1`).get(...q.params) as RunRow | undefined;
    return row ? toRunRecord(row) : null;
  }

  /**
   * Deletes runs (and, by cascade, their skipped_items) that started before `cutoff`. The run
   * each account's sync_state points at is kept so the last result is never lost, and running rows are left to
   * the sync store's markInterruptedRuns.
   */
  pruneStartedBefore(cutoff: string): number {
    const info = this.db
      .prepare(
        `DELETE FROM sync_runs
          WHERE started_at < ? AND status <> 'running'
            AND id NOT IN (SELECT last_run_id FROM sync_state WHERE last_run_id IS NOT NULL)`,
      )
      .run(cutoff);
    return info.changes;
  }
}
