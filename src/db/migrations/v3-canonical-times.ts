import type BetterSqlite3 from 'better-sqlite3';
import { canonicalTime } from '../../domain/time.js';

/** Every column of version 2 that holds a time (transcript and action-item "HH:MM:SS" offsets are not times). */
const TIME_COLUMNS: Record<string, string[]> = {
  meetings: ['created_at', 'scheduled_start_time', 'scheduled_end_time', 'recording_start_time', 'recording_end_time', 'first_synced_at', 'last_synced_at', 'last_changed_at'],
  contacts: ['first_meeting_at', 'last_meeting_at'],
  sync_state: ['bookmark', 'last_success_at', 'last_error_at', 'backfill_from', 'backfill_before'],
  sync_runs: ['window_start', 'window_end', 'started_at', 'ended_at'],
};

/**
 * Schema version 3 rewrites the stored times in the canonical form (`...:05Z` and
 * `...:05.123456Z` become `...:05.000Z` and `...:05.123Z`). Text that is not an ISO-8601 time is
 * left as it was; rows already canonical are not touched. raw_json keeps Fathom's own strings.
 */
export function canonicalizeStoredTimes(db: BetterSqlite3.Database): void {
  db.function('fathom_sync_canonical_time', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? canonicalTime(value) : value));
  for (const [table, columns] of Object.entries(TIME_COLUMNS)) {
    const set = columns.map((c) => `${c} = fathom_sync_canonical_time(${c})`).join(', ');
    const changed = columns.map((c) => `${c} IS NOT fathom_sync_canonical_time(${c})`).join(' OR ');
    db.exec(`UPDATE ${table} SET ${set} WHERE ${changed}`);
  }
}
