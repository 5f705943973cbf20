import type { Db } from '../db/database.js';
import type { AppPaths } from '../core/paths.js';
import { pruneRunHistory, trimLogFile } from './retention.js';

/**
 * Housekeeping at the end of a run, successful or not. It must never turn a good run into a
 * failed one, so every problem is only reported.
 */
export function tidyAfterRun(db: Db, paths: Pick<AppPaths, 'logFile'>, onProblem: (message: string) => void, now: number): void {
  try {
    pruneRunHistory(db, now);
  } catch (err) {
    onProblem(`could not prune old run history: ${(err as Error).message}`);
  }
  try {
    trimLogFile(paths.logFile);
  } catch (err) {
    onProblem(`could not trim ${paths.logFile}: ${(err as Error).message}`);
  }
}
