/**
 * Schema version 5: correct whatever order Fathom lists meetings in, and back off from content
 * that does not come.
 *
 * - A pending backfill's `backfill_before` used to be the oldest meeting seen, which assumed one
 *   newest-first order across pages: with a server that lists source by source, meetings between
 *   that one and the top of the backfill may never have been fetched. It now moves only when a whole
 *   slice is read, so an old mark cannot be trusted: the pending stretch reaches up again to the
 *   newest instant any run read up to (the runs' window_end; now, when there is none), and the
 *   hourly runs read it again, every meeting of it, whatever the order.
 * - meetings.content_attempts / content_checked_at: how many runs in a row asked for a summary and
 *   transcript Fathom did not have, and when the last one did (domain/content-retry.ts).
 * The same columns are in schema.sql for new databases.
 */
export const ANY_ORDER_SQL = `
    ALTER TABLE meetings ADD COLUMN content_attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE meetings ADD COLUMN content_checked_at TEXT;
    UPDATE sync_state
       SET backfill_before = MAX(backfill_before, COALESCE((SELECT MAX(window_end) FROM sync_runs), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
     WHERE backfill_before IS NOT NULL;`;
