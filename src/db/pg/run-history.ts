import { fromCounterFields, type CounterFields } from '../../domain/counters.js';
import type { RunRecord } from '../run-history.js';
import { connectPg } from './connection.js';
import { readPgSchemaVersion } from './schema.js';

interface RunRow extends CounterFields {
  id: number;
  account: string;
  trigger: string;
  mode: string;
  window_start: string | null;
  window_end: string | null;
  started_at: string;
  ended_at: string | null;
  status: string;
  error: string | null;
}

/** The newest runs first, of one account or all, from a PostgreSQL target; null when it has no fathom-sync tables yet. */
export async function recentPgRuns(url: string, limit: number, account?: string): Promise<RunRecord[] | null> {
  const client = await connectPg(url, { purpose: 'log' });
  try {
    const version = await readPgSchemaVersion(client);
    if (!version) return null;
    const rows = (
      await client.query<RunRow>(
        `SELECT id, account, trigger, mode, window_start, window_end, started_at, ended_at, status, error,
                pages, requests, retries, rate_limited, meetings_seen, meetings_new, meetings_updated, items_skipped
           FROM sync_runs WHERE ($1::text IS NULL OR account = $1) ORDER BY id DESC LIMIT $2`,
        [account ?? null, limit],
      )
    ).rows;
    return rows.map((row) => ({
      id: row.id,
      account: row.account,
      trigger: row.trigger,
      mode: row.mode,
      status: row.status,
      windowStart: row.window_start,
      windowEnd: row.window_end,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      error: row.error,
      counters: fromCounterFields(row),
    }));
  } finally {
    await client.end().catch(() => {});
  }
}
