import path from 'node:path';
import type { AppPaths } from '../../core/paths.js';
import { DatabaseBusyError } from '../../core/errors.js';
import { assertDatabaseUsable, databaseFailures, openDatabase } from '../../db/database.js';
import { StorageGuard } from '../../db/storage-failures.js';
import { SyncStore } from '../../db/sync-store.js';
import { TeamStore } from '../../db/team-store.js';
import { pruneRunHistory } from '../../history/retention.js';
import { recordRefusedRun } from '../../history/refused-run.js';
import { rememberUnrecordedRun, recordUnrecordedRuns } from '../../history/unrecorded-runs.js';
import { acquireRunLock, describeOwner } from '../run-lock.js';
import type { SyncStorage } from './types.js';

/**
 * The SQLite file: a lock file per account in the state directory, WAL and a busy timeout for the
 * other writers (another account's sync, a shell), one transaction per page.
 */
export function sqliteStorage(args: { paths: AppPaths; account: string; busyTimeoutMs: number | undefined }): SyncStorage {
  const { paths, account, busyTimeoutMs } = args;
  return {
    // A --db that is not a usable SQLite file is refused before anything (even the lock) is written.
    assertUsable: () => assertDatabaseUsable(paths.database),
    async lock(options) {
      const held = await acquireRunLock(paths.lockFile, {
        wait: options.wait,
        onWait: (owner) => options.onWait(describeOwner(owner, options.system)),
        onTakeover: (stale) => options.onTakeover(stale.reason),
        signal: options.signal,
        clock: options.clock,
        system: options.system,
      });
      return { release: () => held.release() };
    },
    async open() {
      const db = await openDatabase(paths.database, { ownDirectory: path.dirname(paths.database) === paths.dataDir, busyTimeoutMs });
      // Every storage call of the run goes through the guard: failures arrive typed, and after a
      // damaged file or a locked one nothing more touches the database.
      const guard = new StorageGuard(databaseFailures(paths.database, { busyTimeoutMs }), 'write');
      let store: SyncStore;
      let teams: TeamStore;
      try {
        store = guard.wrap(guard.run(() => new SyncStore(db, account)));
        teams = guard.wrap(guard.run(() => new TeamStore(db, account)));
      } catch (err) {
        db.close();
        throw err;
      }
      return {
        store,
        teams,
        guard,
        recordUnrecorded: async (onProblem) => {
          await recordUnrecordedRuns(paths.stateDir, store, onProblem);
        },
        tidy: async (now, onProblem) => {
          if (guard.failure) return;
          try {
            pruneRunHistory(db, now);
          } catch (err) {
            onProblem(`could not prune old run history: ${(err as Error).message}`);
          }
        },
        close: async () => {
          db.close();
        },
      };
    },
    recordRefused: (run, onProblem) => recordRefusedRun(paths, account, run, onProblem, busyTimeoutMs),
    rememberUnrecorded(err, run, onProblem) {
      // A database another program holds for writing cannot take this run's row now: the next
      // run that can write records it as skipped, with the reason.
      if (err instanceof DatabaseBusyError) rememberUnrecordedRun(paths.stateDir, { ...run, status: 'skipped', error: err.message }, onProblem);
    },
  };
}
