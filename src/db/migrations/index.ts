import type { Migrations } from '../migrate.js';
import { canonicalizeStoredTimes } from './v3-canonical-times.js';
import { fillTalkTime, readSideSql } from './v4-read-side.js';
import { rebuildMeetingSearch } from '../meeting-search-index.js';
import { ANY_ORDER_SQL } from './v5-any-order.js';
import { ACCOUNTS_SQL } from './v6-accounts.js';

/** Every step from version 1 on; see migrate.ts. */
export const MIGRATIONS: Migrations = {
  // 2: remember a backfill that stopped part way, so the hourly run can finish it.
  2: [
    `ALTER TABLE sync_state ADD COLUMN backfill_from TEXT;
     ALTER TABLE sync_state ADD COLUMN backfill_before TEXT;`,
  ],
  // 3: one text form for every stored time, so comparing them as text orders them in time.
  3: [canonicalizeStoredTimes],
  // 4: the read side: action items in the full-text index (they get a rowid for it), talk time
  // per meeting and speaker (filled for the meetings already stored), teams and team members.
  4: [readSideSql(), fillTalkTime, rebuildMeetingSearch],
  // 5: a pending backfill is read again from its top (its old mark trusted one order of pages);
  // per-meeting retries of content Fathom has not produced.
  5: [ANY_ORDER_SQL],
  // 6: several accounts (profiles) in one database: who sees which meeting, state and runs per account.
  6: [ACCOUNTS_SQL],
};
