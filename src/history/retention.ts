import fs from 'node:fs';
import type { Db } from '../db/database.js';
import { RunHistory } from '../db/run-history.js';
import { DAY_MS, toIso } from '../domain/time.js';

/**
 * Keeping history bounded without anyone having to think about it: called at the end of every
 * run. An hourly job adds 24 rows and a few lines of log a day, forever, otherwise.
 */

export const RUN_HISTORY_DAYS = 30;
/** The log is cut back to its newest LOG_KEEP_BYTES once it grows past LOG_MAX_BYTES. */
export const LOG_MAX_BYTES = 1024 * 1024;
export const LOG_KEEP_BYTES = 256 * 1024;

/**
 * Deletes sync_runs rows (and their skipped_items) that started more than `days` before `now`;
 * the last run sync_state points at, and running rows, are kept (RunHistory.pruneStartedBefore).
 */
export function pruneRunHistory(db: Db, now: number, days = RUN_HISTORY_DAYS): number {
  return new RunHistory(db).pruneStartedBefore(runHistoryCutoff(now, days));
}

/** Runs that started before this are pruned (either target). */
export function runHistoryCutoff(now: number, days = RUN_HISTORY_DAYS): string {
  return toIso(now - days * DAY_MS);
}

/**
 * Cuts the log file down to its newest lines when it has grown too big. The file is rewritten
 * in place rather than replaced: cron's shell holds it open with O_APPEND for the rest of this
 * run, and a renamed file would swallow the run's last lines.
 */
export function trimLogFile(file: string, maxBytes = LOG_MAX_BYTES, keepBytes = LOG_KEEP_BYTES): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return false; // no log yet (manual runs only), or not ours to touch
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= maxBytes) return false;
    const tail = Buffer.alloc(Math.min(keepBytes, size));
    fs.readSync(fd, tail, 0, tail.length, size - tail.length);
    // Start at a line boundary so the log does not open with half a line.
    const newline = tail.indexOf(0x0a);
    const kept = newline === -1 ? tail : tail.subarray(newline + 1);
    fs.writeSync(fd, kept, 0, kept.length, 0);
    fs.ftruncateSync(fd, kept.length);
    return true;
  } finally {
    fs.closeSync(fd);
  }
}
