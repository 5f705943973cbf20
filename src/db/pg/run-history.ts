import { RUN_COLUMNS, toRunRecord, type RunRecord, type RunRow } from '../run-history.js';
import { connectPg, type PgClient } from './connection.js';
import { readPgSchemaVersion } from './schema.js';

/** The newest runs first, of one account or all, from a PostgreSQL target; null when it has no fathom-sync tables yet. */
export async function recentPgRuns(url: string, limit: number, account?: string): Promise<RunRecord[] | null> {
  const client = await connectPg(url, { purpose: 'log' });
  try {
    const version = await readPgSchemaVersion(client);
    if (!version) return null;
    const rows = (
      await client.query<RunRow>(
        `SELECT account, ${RUN_COLUMNS}
           FROM sync_runs WHERE ($1::text IS NULL OR account = $1) ORDER BY id DESC LIMIT $2`,
        [account ?? null, limit],
      )
    ).rows;
    return rows.map(toRunRecord);
  } finally {
    await client.end().catch(() => {});
  }
}

/** RunHistory.pruneStartedBefore on PostgreSQL: each account's last run and running rows are kept. */
export async function prunePgRunHistory(client: PgClient, cutoff: string): Promise<number> {
  const r = await client.query(
    `DELETE FROM sync_runs WHERE started_at < $1 AND status <> 'running'
       AND id NOT IN (SELECT last_run_id FROM sync_state WHERE last_run_id IS NOT NULL)`,
    [cutoff],
  );
  return r.rowCount ?? 0;
}
