import type { AppContext } from '../../core/context.js';
import { sqliteStorage } from './sqlite.js';
import type { SyncStorage } from './types.js';

/** The storage the context names: PostgreSQL for a postgres:// database, else the SQLite file. */
export async function syncStorageFor(ctx: Pick<AppContext, 'paths' | 'profile' | 'seams' | 'clock'>): Promise<SyncStorage> {
  if (ctx.paths.databaseUrl) {
    // Loaded only for a PostgreSQL target: SQLite runs do not pay for the pg driver's start-up.
    const { postgresStorage } = await import('./postgres.js');
    return postgresStorage({ url: ctx.paths.databaseUrl, account: ctx.profile, now: () => ctx.clock.now() });
  }
  const busyTimeoutMs = ctx.seams.busyTimeoutMs ?? undefined;
  return sqliteStorage({ paths: ctx.paths, account: ctx.profile, busyTimeoutMs });
}
