import type { Db } from './db.js';

/**
 * Calls `each` with every stored meeting's payload (parsed), in batches of 200 by recording_id, so
 * thousands of transcripts are never in memory at once: for work done to all meetings (filling a
 * new table in a migration, working talk time out again). `where` narrows the meetings.
 */
export function forEachStoredPayload(db: Db, each: (recordingId: number, raw: unknown) => void, where = '1'): void {
  const batch = db.prepare(`SELECT recording_id, raw_json FROM meetings WHERE (${where}) AND recording_id > ? ORDER BY recording_id LIMIT 200`);
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = batch.all(after) as { recording_id: number; raw_json: string }[];
    if (rows.length === 0) return;
    for (const row of rows) each(row.recording_id, JSON.parse(row.raw_json));
    after = rows.at(-1)!.recording_id;
  }
}
