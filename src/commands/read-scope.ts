import type { AppContext } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { openReader } from '../db/read/open.js';
import { describeTarget } from '../core/database-target.js';

/**
 * What every read command shares: the SQLite database it reads, and whose meetings it shows
 * (--profile / FATHOM_SYNC_PROFILE: one account's; every account's when no profile is named).
 */

/** The read side works on a SQLite file; a PostgreSQL target is read with SQL (README "PostgreSQL"). */
export function readableDatabase(ctx: Pick<AppContext, 'paths'>): string {
  if (ctx.paths.databaseUrl) {
    throw new UsageError(
      `read commands work on a SQLite database; ${describeTarget(ctx.paths)} is PostgreSQL`,
      'query it with psql or a BI tool (README "PostgreSQL"), or pass --db FILE to read a local SQLite database',
    );
  }
  return ctx.paths.database;
}

export function openReaderFor(ctx: Pick<AppContext, 'paths'>): ReturnType<typeof openReader> {
  return openReader(readableDatabase(ctx));
}

/** The account filter of a read command: the named profile's meetings, or all. */
export function accountScope(ctx: Pick<AppContext, 'profile' | 'profileChosen'>): { account?: string } {
  return ctx.profileChosen ? { account: ctx.profile } : {};
}
