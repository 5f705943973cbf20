import type { AppContext } from '../../core/context.js';
import { sqliteStorage } from './sqlite.js';
import { postgresStorage } from './postgres.js';
import type { SyncStorage } from './types.js';

/** The storage the context names: PostgreSQL for a postgres:// database, else the SQLite file. */
export function syncStorageFor(ctx: Pick<AppContext, 'paths' | 'profile' | 'seams' | 'clock'>): SyncStorage {
  if (ctx.paths.databaseUrl) return postgresStorage({ url: ctx.paths.databaseUrl, account: ctx.profile, now: () => ctx.clock.now() });
  const busyTimeoutMs = ctx.seams.busyTimeoutMs ?? undefined;
  return sqliteStorage({ paths: ctx.paths, account: ctx.profile, busyTimeoutMs });
}
