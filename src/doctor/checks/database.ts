import { formatDuration } from '../../core/duration.js';
import { FathomSyncError, errorMessage } from '../../core/errors.js';
import { BUSY_TIMEOUT_MS, databaseFailures, inspectDatabaseFile } from '../../db/database.js';
import { SCHEMA_VERSION } from '../../db/migrate.js';
import { moveAsideFix } from '../../db/sqlite-failures.js';
import { inspectRunLock } from '../../sync/run-lock.js';
import type { CheckResult, DoctorCheck, DoctorContext } from '../types.js';
import { pgDatabaseResult } from './postgres.js';

export const databaseCheck: DoctorCheck = {
  id: 'database',
  title: 'Database',
  async run(ctx) {
    const pg = ctx.postgres();
    if (pg) return pgDatabaseResult(await pg);
    const file = ctx.paths.database;
    let state: ReturnType<typeof inspectDatabaseFile>;
    try {
      state = inspectDatabaseFile(file);
    } catch (err) {
      const fix = err instanceof FathomSyncError && err.fix ? err.fix : undefined;
      return {
        status: 'failure',
        summary: errorMessage(err),
        fix: fix && !fix.text.includes('--db') ? fix : moveAsideFix(file, `${file} is not a usable fathom-sync database.`),
      };
    }
    if (state !== 'sqlite') {
      return { status: 'warning', summary: `no database yet at ${file}`, fix: { text: 'Create it with a first sync:', commands: ['fathom-sync run'] } };
    }
    // Loaded here, not at the top: importing is also the first await, so checks that only
    // wait on the network start before this one blocks the event loop with SQLite work.
    const { checkDatabaseHealth } = await import('../../db/inspect.js');
    let health;
    try {
      health = await checkDatabaseHealth(file);
    } catch (err) {
      // Locked, unreadable for this user, failing disk: say so, with its fix; moving the file aside is for a damaged one.
      const failure = databaseFailures(file).classify(err, { action: 'read', opening: true });
      if (failure && failure.kind !== 'corrupt') return { status: 'failure', summary: failure.message, ...(failure.fix ? { fix: failure.fix } : {}) };
      const code = (err as { code?: string }).code;
      return { status: 'failure', summary: `cannot read ${file}: ${errorMessage(err)}${code ? ` (${code})` : ''}`, fix: moveAsideFix(file, 'The database cannot be read.') };
    }
    const version = health.schemaVersion;
    if (health.integrityProblems.length > 0) {
      return { status: 'failure', summary: `${file} fails PRAGMA integrity_check`, details: health.integrityProblems.slice(0, 5), fix: moveAsideFix(file, 'The database is damaged.') };
    }
    if (version > SCHEMA_VERSION) {
      return {
        status: 'failure',
        summary: `schema version ${version} is newer than this fathom-sync understands (${SCHEMA_VERSION})`,
        fix: { text: 'A newer fathom-sync wrote this database; upgrade:', commands: ['npm install -g fathom-sync@latest'] },
      };
    }
    const unwritable = version > 0 ? await writeProblem(ctx, file) : null;
    if (unwritable) return unwritable;
    if (version < SCHEMA_VERSION) {
      return {
        status: 'warning',
        summary: `schema version ${version}, current is ${SCHEMA_VERSION}`,
        details: [file],
        fix: { text: 'The next sync upgrades it in place:', commands: ['fathom-sync run'] },
      };
    }
    return { status: 'ok', summary: `${health.meetingCount ?? 0} meetings, schema v${version}, integrity ok`, details: [file] };
  },
};

/**
 * What would keep the next sync from writing: another program holding the database for writing
 * for longer than a sync waits, or a file or folder this user cannot write. Not looked for while a
 * sync runs (that sync holds the write lock for a moment per page).
 */
async function writeProblem(ctx: DoctorContext, file: string): Promise<CheckResult | null> {
  const lock = inspectRunLock(ctx.paths.lockFile, { clock: ctx.clock, system: ctx.lockSystem });
  if (lock.state === 'held') return null;
  const { probeWriteAccess } = await import('../../db/inspect.js');
  const waitMs = ctx.databaseBusyWaitMs ?? BUSY_TIMEOUT_MS;
  const failure = await probeWriteAccess(file, { waitMs, sleep: (ms) => ctx.clock.sleep(ms) });
  if (!failure) return null;
  if (failure.kind === 'busy') {
    return {
      status: 'failure',
      summary: `${file} stays locked: another program has held it open for writing for over ${formatDuration(waitMs)}, so every sync fails until it lets go`,
      ...(failure.fix ? { fix: failure.fix } : {}),
    };
  }
  return { status: 'failure', summary: failure.message, ...(failure.fix ? { fix: failure.fix } : {}) };
}
