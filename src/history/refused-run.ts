import { databaseFailures, inspectDatabaseFile, openDatabase } from '../db/database.js';
import { SyncStore } from '../db/sync-store.js';
import type { AppPaths } from '../core/paths.js';
import { DatabaseBusyError, errorMessage } from '../core/errors.js';
import { rememberUnrecordedRun } from './unrecorded-runs.js';
import type { RefusedRun } from './refused-run-record.js';

export type { RefusedRun };


/**
 * Writes a refused run into the history of an existing database. A first run without a
 * credential does not create a database just to say so, and a database we cannot write is
 * reported, never allowed to replace the error the user needs to see; one another program holds
 * gets the run from the next run that can write (unrecorded-runs.ts).
 */
export async function recordRefusedRun(
  paths: Pick<AppPaths, 'database' | 'stateDir'>,
  account: string,
  run: RefusedRun,
  onProblem: (message: string) => void,
  busyTimeoutMs?: number,
): Promise<void> {
  try {
    if (inspectDatabaseFile(paths.database, 'write') !== 'sqlite') return;
    const db = await openDatabase(paths.database, { busyTimeoutMs });
    try {
      new SyncStore(db, account).recordRefusedRun(run);
    } finally {
      db.close();
    }
  } catch (err) {
    const failure = err instanceof DatabaseBusyError ? err : databaseFailures(paths.database, { busyTimeoutMs }).classify(err, { action: 'write' });
    if (failure instanceof DatabaseBusyError) rememberUnrecordedRun(paths.stateDir, run, onProblem);
    else onProblem(`could not record this run in the history: ${errorMessage(err)}`);
  }
}
