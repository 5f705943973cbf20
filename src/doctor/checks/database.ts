import { FathomSyncError, errorMessage } from '../../core/errors.js';
import { inspectDatabaseFile } from '../../db/database.js';
import { SCHEMA_VERSION } from '../../db/migrate.js';
import { shellQuote } from '../../schedule/crontab-text.js';
import type { CheckFix, DoctorCheck } from '../types.js';

function moveAsideFix(file: string, why: string): CheckFix {
  return {
    text: `${why} Restore it from a backup, or move it aside and sync everything again:`,
    commands: [`mv ${shellQuote(file)} ${shellQuote(`${file}.broken`)} && fathom-sync run --all`],
  };
}

export const databaseCheck: DoctorCheck = {
  id: 'database',
  title: 'Database',
  async run(ctx) {
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
