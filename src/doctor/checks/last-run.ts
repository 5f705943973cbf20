import { formatDuration } from '../../core/duration.js';
import { shellQuote } from '../../schedule/crontab-text.js';
import type { DoctorCheck, LastRunFacts } from '../types.js';
import { pgLastRunFacts } from './postgres.js';

/** With a schedule installed, a success older than this means the hourly job is not working. */
export const STALE_SUCCESS_MS = 2 * 3600 * 1000;

export type { LastRunFacts };

/** Reads the newest run and the last success, read-only; null when there is no usable database. */
export async function readLastRunFacts(databaseFile: string, account: string): Promise<LastRunFacts | null> {
  const { inspectDatabaseFile, openDatabase } = await import('../../db/database.js');
  const { RunHistory } = await import('../../db/run-history.js');
  const { readSyncState } = await import('../../db/sync-state.js');
  try {
    if (inspectDatabaseFile(databaseFile) !== 'sqlite') return null;
  } catch {
    return null;
  }
  const db = await openDatabase(databaseFile, { readonly: true });
  try {
    return { lastRun: new RunHistory(db).lastAttempted(account), lastSuccessAt: readSyncState(db, account).lastSuccessAt };
  } finally {
    db.close();
  }
}

const ago = (now: number, iso: string): string => `${formatDuration(now - Date.parse(iso), 'age')} ago`;

export const lastRunCheck: DoctorCheck = {
  id: 'last-run',
  title: 'Last sync',
  async run(ctx) {
    let facts: LastRunFacts | null;
    try {
      const pg = ctx.postgres();
      if (pg) {
        const target = await pg;
        if (!target.reachable) return { status: 'skipped', summary: 'database unreachable' };
        facts = pgLastRunFacts(target, ctx.profile);
      } else {
        facts = await readLastRunFacts(ctx.paths.database, ctx.profile);
      }
    } catch (err) {
      return { status: 'skipped', summary: `database unreadable (${(err as Error).message})` };
    }
    const scheduled = Boolean(ctx.config.schedule);
    if (!facts || !facts.lastRun) {
      return { status: 'warning', summary: 'no sync has run yet', fix: { text: 'Run one now:', commands: ['fathom-sync run'] } };
    }
    const now = ctx.clock.now();
    const run = facts.lastRun;
    const label = `#${run.id} (${run.trigger}) started ${ago(now, run.startedAt)}`;
    const success = facts.lastSuccessAt ? `last success ${ago(now, facts.lastSuccessAt)}` : 'never succeeded';
    const seeLog = { text: 'See what went wrong, then try by hand:', commands: ['fathom-sync log', `tail -n 20 ${shellQuote(ctx.paths.logFile)}`, 'fathom-sync run'] };
    if (run.status === 'failed' && run.mode === 'resume') {
      // The hourly sync itself worked; only the slice of an old backfill after it failed.
      return { status: 'warning', summary: `continuing an unfinished backfill failed in run ${label}: ${run.error ?? 'no error recorded'}`, details: [success], fix: seeLog };
    }
    if (run.status === 'failed') {
      return { status: 'failure', summary: `run ${label} failed: ${run.error ?? 'no error recorded'}`, details: [success], fix: seeLog };
    }
    if (run.status === 'interrupted') {
      return { status: 'warning', summary: `run ${label} was interrupted`, details: [success], fix: { text: 'Run again; an incremental run also continues a backfill that stopped part way:', commands: ['fathom-sync run --incremental'] } };
    }
    if (run.status === 'running') return { status: 'ok', summary: `run ${label} is still running`, details: [success] };
    const lastSuccess = facts.lastSuccessAt ?? run.endedAt ?? run.startedAt;
    if (scheduled && now - Date.parse(lastSuccess) > STALE_SUCCESS_MS) {
      return {
        status: 'warning',
        summary: `${success}, though the schedule runs every hour`,
        details: [`newest run: ${label}`],
        fix: { text: 'The hourly job is not running or not finishing (asleep? cron stopped?). Look at its output and the schedule:', commands: [`tail -n 20 ${shellQuote(ctx.paths.logFile)}`, 'fathom-sync log', 'systemctl status cron'] },
      };
    }
    return { status: 'ok', summary: `run ${label} succeeded (${run.counters.meetingsNew} new)` };
  },
};
