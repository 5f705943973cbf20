import { DatabaseError, errorMessage } from '../../core/errors.js';
import { toIso } from '../../domain/time.js';
import { StorageGuard } from '../../db/storage-failures.js';
import { connectPg, describePgTarget, type PgClient } from '../../db/pg/connection.js';
import { pgFailures } from '../../db/pg/failures.js';
import { PG_SCHEMA_VERSION, migratePg, readPgSchemaVersion } from '../../db/pg/schema.js';
import { PgSyncStore, PgTeamStore } from '../../db/pg/pg-sync-store.js';
import { lockAccount, unlockAccount } from '../../db/pg/account-lock.js';
import { runHistoryCutoff } from '../../history/retention.js';
import { prunePgRunHistory } from '../../db/pg/run-history.js';
import type { SyncStorage } from './types.js';

/**
 * A PostgreSQL database shared by any number of machines and accounts. The run's one connection
 * holds the account's advisory lock (account-lock.ts) and writes every page in its own
 * transaction; a process killed at any instant leaves whole pages, the server rolling back the rest.
 */
export function postgresStorage(args: { url: string; account: string; now: () => number }): SyncStorage {
  const { url, account } = args;
  const where = describePgTarget(url);
  let client: PgClient | null = null;
  const end = async () => {
    const c = client;
    client = null;
    await c?.end().catch(() => {});
  };
  return {
    async assertUsable() {
      client = await connectPg(url, { purpose: 'sync', account });
      try {
        const version = await readPgSchemaVersion(client);
        if (version === null) throw new DatabaseError(`the PostgreSQL database ${where} holds tables that are not fathom-sync's (a "meetings" table without schema_migrations)`, 'use an empty database of its own for fathom-sync: createdb fathom_sync');
        if (version > PG_SCHEMA_VERSION) throw new DatabaseError(`the PostgreSQL database ${where} has schema version ${version}, newer than this fathom-sync knows (${PG_SCHEMA_VERSION})`, 'upgrade fathom-sync on this machine: npm install -g fathom-sync');
      } catch (err) {
        await end();
        throw err;
      }
    },
    async lock(options) {
      if (!client) throw new Error('postgresStorage: lock() before assertUsable()');
      try {
        await lockAccount(client, account, options);
      } catch (err) {
        await end();
        throw err;
      }
      return {
        release: async () => {
          if (client) await unlockAccount(client, account).catch(() => {});
          await end();
        },
      };
    },
    async open() {
      const c = client;
      if (!c) throw new Error('postgresStorage: open() without the lock');
      const guard = new StorageGuard(pgFailures(url), 'write');
      await guard.wrap({ migrate: () => migratePg(c, toIso(args.now())) }).migrate();
      const store = guard.wrap(new PgSyncStore(c, account));
      return {
        store,
        teams: guard.wrap(new PgTeamStore(c, account)),
        guard,
        // Runs are remembered only when a SQLite file is busy; a server has no such state.
        recordUnrecorded: async () => {},
        tidy: async (now, onProblem) => {
          if (guard.failure) return;
          try {
            await prunePgRunHistory(c, runHistoryCutoff(now));
          } catch (err) {
            onProblem(`could not prune old run history: ${errorMessage(err)}`);
          }
        },
        close: async () => {},
      };
    },
    async recordRefused(run, onProblem) {
      // A refused run does not create tables just to say so: only an existing fathom-sync database records it.
      let c: PgClient | null = null;
      try {
        c = await connectPg(url, { purpose: 'sync', account, connectTimeoutMs: 5_000 });
        const version = await readPgSchemaVersion(c);
        if (version !== PG_SCHEMA_VERSION) return;
        await new PgSyncStore(c, account).recordRefusedRun(run);
      } catch (err) {
        onProblem(`could not record this run in the history: ${errorMessage(err)}`);
      } finally {
        await c?.end().catch(() => {});
      }
    },
    rememberUnrecorded() {},
  };
}
