/**
 * Schema version 6: several Fathom accounts (profiles) in one database.
 *
 * - A meeting is still stored once per recording_id, whoever synced it; account_meetings records
 *   which accounts see it, and since when. Every meeting already stored was synced by the one
 *   account there was, `default`.
 * - sync_state has one row per account (it had one row, id = 1): the bookmark, a pending backfill,
 *   the last success and error and the teams read are each account's. The old row becomes `default`'s.
 * - sync_runs.account: whose run it was (`default` for every earlier run).
 * The same tables are in schema.sql for new databases.
 */
export const ACCOUNTS_SQL = `
    CREATE TABLE account_meetings (
      account        TEXT NOT NULL,
      recording_id   INTEGER NOT NULL REFERENCES meetings (recording_id) ON DELETE CASCADE,
      first_seen_at  TEXT NOT NULL,
      last_seen_at   TEXT NOT NULL,
      PRIMARY KEY (account, recording_id)
    ) WITHOUT ROWID;
    CREATE INDEX account_meetings_recording ON account_meetings (recording_id);
    INSERT INTO account_meetings (account, recording_id, first_seen_at, last_seen_at)
      SELECT 'default', recording_id, first_synced_at, last_synced_at FROM meetings;

    CREATE TABLE sync_state_v6 (
      account           TEXT PRIMARY KEY,
      bookmark          TEXT,
      last_success_at   TEXT,
      last_run_id       INTEGER,
      last_error        TEXT,
      last_error_at     TEXT,
      backfill_from     TEXT,
      backfill_before   TEXT,
      teams_synced_at   TEXT
    );
    INSERT INTO sync_state_v6 (account, bookmark, last_success_at, last_run_id, last_error, last_error_at, backfill_from, backfill_before, teams_synced_at)
      SELECT 'default', bookmark, last_success_at, last_run_id, last_error, last_error_at, backfill_from, backfill_before, teams_synced_at FROM sync_state WHERE id = 1;
    DROP TABLE sync_state;
    ALTER TABLE sync_state_v6 RENAME TO sync_state;

    ALTER TABLE sync_runs ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
    CREATE INDEX sync_runs_account ON sync_runs (account, id);`;
