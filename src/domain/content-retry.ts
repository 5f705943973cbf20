import { DAY_MS } from './time.js';

/**
 * A meeting whose summary or transcript Fathom has not produced (it sends null) is asked for again
 * by the runs that cover it, so that it is completed once Fathom has it. Some never come (a call
 * too short to summarise): asking every hour for 30 days would cost two heavy calls an hour under
 * OAuth, and drag every incremental window back. So the first CONTENT_RETRY_TRIES runs ask, then a
 * run asks at most once every CONTENT_RETRY_INTERVAL_MS. Pure, unit-tested without a database.
 */
export const CONTENT_RETRY_TRIES = 3;
export const CONTENT_RETRY_INTERVAL_MS = DAY_MS;

/** Whether a run at `now` should ask again for an incomplete meeting asked `attempts` times, last at `checkedAt`. */
export function contentRetryDue(meeting: { attempts: number; checkedAt: string | null }, now: number): boolean {
  if (meeting.attempts < CONTENT_RETRY_TRIES || meeting.checkedAt === null) return true;
  return now - Date.parse(meeting.checkedAt) >= CONTENT_RETRY_INTERVAL_MS;
}

/** Incomplete meetings last asked at or before this are due again, whatever their count (the SQL form of contentRetryDue). */
export function contentRetryCutoff(now: number): number {
  return now - CONTENT_RETRY_INTERVAL_MS;
}
