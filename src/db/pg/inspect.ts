import { errorMessage } from '../../core/errors.js';
import { toSyncState, type SyncState } from '../sync-state.js';
import { RUN_COLUMNS, toRunRecord, type RunRecord, type RunRow } from '../run-history.js';
import { connectPg, describePgTarget, type PgClient } from './connection.js';
import { PG_SCHEMA_VERSION, readPgSchemaVersion } from './schema.js';
import { accountLockHolder, describeHolder } from './account-lock.js';

/**
 * A read-only look at a PostgreSQL target for `status`, `doctor` and `profiles`: reachable,
 * migrated, what it holds, each account's state and whether a sync of an account runs now (and
 * where). Nothing here writes, migrates or takes a lock.
 */

export interface PgAccountFacts {
  account: string;
  state: SyncState;
  /** A backfill that stopped part way: the stretch the coming incremental runs read. */
  backfillPending: { from: string | null; before: string } | null;
  /** Meetings this account sees. */
  meetings: number;
  /** The newest run of the account that tried to sync (runs skipped for a running one do not count). */
  lastRun: RunRecord | null;
  /** Who holds the account's sync lock now, or null. */
  lockHolder: string | null;
}

export type PgTargetFacts =
  | { target: string; reachable: false; problem: string; exitCode?: number }
  | { target: string; reachable: true; schemaVersion: number | null; currentVersion: number; meetings: number | null; accounts: PgAccountFacts[]; serverVersion: string };

export async function inspectPgTarget(url: string, options: { accounts?: string[] } = {}): Promise<PgTargetFacts> {
  const target = describePgTarget(url);
  let client: PgClient;
  try {
    client = await connectPg(url, { purpose: 'inspect', connectTimeoutMs: 5_000 });
  } catch (err) {
    return { target, reachable: false, problem: errorMessage(err) };
  }
  try {
    const serverVersion = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const schemaVersion = await readPgSchemaVersion(client);
    if (schemaVersion === null || schemaVersion === 0) {
      return { target, reachable: true, schemaVersion, currentVersion: PG_SCHEMA_VERSION, meetings: null, accounts: [], serverVersion };
    }
    const meetings = (await client.query<{ n: number }>('SELECT count(*) AS n FROM meetings')).rows[0]!.n;
    const states = (
      await client.query<{ account: string; bookmark: string | null; last_success_at: string | null; last_run_id: number | null; last_error: string | null; last_error_at: string | null; backfill_from: string | null; backfill_before: string | null }>(
        'SELECT account, bookmark, last_success_at, last_run_id, last_error, last_error_at, backfill_from, backfill_before FROM sync_state ORDER BY account',
      )
    ).rows;
    const names = [...new Set([...states.map((s) => s.account), ...(options.accounts ?? [])])].sort();
    const accounts: PgAccountFacts[] = [];
    for (const account of names) {
      const row = states.find((s) => s.account === account);
      const seen = (await client.query<{ n: number }>('SELECT count(*) AS n FROM account_meetings WHERE account = $1', [account])).rows[0]!.n;
      const run = (
        await client.query<RunRow>(`SELECT account, ${RUN_COLUMNS} FROM sync_runs WHERE account = $1 AND status <> 'skipped' ORDER BY id DESC LIMIT 1`, [account])
      ).rows[0];
      const holder = await accountLockHolder(client, account);
      accounts.push({
        account,
        state: toSyncState(row),
        backfillPending: row?.backfill_before ? { from: row.backfill_from, before: row.backfill_before } : null,
        meetings: seen,
        lastRun: run ? toRunRecord(run) : null,
        lockHolder: holder ? describeHolder(holder) : null,
      });
    }
    return { target, reachable: true, schemaVersion, currentVersion: PG_SCHEMA_VERSION, meetings, accounts, serverVersion };
  } catch (err) {
    return { target, reachable: false, problem: errorMessage(err) };
  } finally {
    await client.end().catch(() => {});
  }
}
