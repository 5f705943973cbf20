import { inspectDatabaseFile, openDatabase } from '../db/database.js';
import { SyncStore } from '../db/sync-store.js';
import type { RunTrigger } from '../db/run-history.js';
import { errorMessage } from '../core/errors.js';

export interface RefusedRun {
  trigger: RunTrigger;
  mode: string;
  /** failed: the run could not start (no credential); skipped: another sync was running. */
  status: 'failed' | 'skipped';
  error: string;
  now: string;
  pid: number;
}

/**
 * Writes a refused run into the history of an existing database. A first run without a
 * credential does not create a database just to say so, and a database we cannot write is
 * reported, never allowed to replace the error the user needs to see.
 */
export async function recordRefusedRun(databaseFile: string, run: RefusedRun, onProblem: (message: string) => void): Promise<void> {
  try {
    if (inspectDatabaseFile(databaseFile) !== 'sqlite') return;
    const db = await openDatabase(databaseFile);
    try {
      new SyncStore(db).recordRefusedRun(run);
    } finally {
      db.close();
    }
  } catch (err) {
    onProblem(`could not record this run in the history: ${errorMessage(err)}`);
  }
}
