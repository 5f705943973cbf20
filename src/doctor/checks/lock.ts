import { describeOwner, inspectRunLock } from '../../sync/run-lock.js';
import { formatDuration } from '../../core/duration.js';
import { shellQuote } from '../../schedule/crontab-text.js';
import type { DoctorCheck } from '../types.js';
import { pgLockResult } from './postgres.js';

/** A sync holding the lock longer than this is probably stuck (the hourly ones take seconds). */
export const LONG_RUN_MS = 6 * 3600 * 1000;

export const lockCheck: DoctorCheck = {
  id: 'lock',
  title: 'Run lock',
  async run(ctx) {
    const pg = ctx.postgres();
    if (pg) return pgLockResult(ctx, await pg);
    const file = ctx.paths.lockFile;
    const state = inspectRunLock(file, { clock: ctx.clock, system: ctx.lockSystem });
    if (state.state === 'free') return { status: 'ok', summary: 'no sync running' };
    if (state.state === 'stale') {
      return {
        status: 'warning',
        summary: `stale lock${state.owner ? ` left by ${describeOwner(state.owner, ctx.lockSystem)}` : ''}: ${state.reason}`,
        details: [file, 'the next run takes it over by itself'],
        fix: { text: 'Or remove it now:', commands: [`rm ${shellQuote(file)}`] },
      };
    }
    const age = ctx.clock.now() - Date.parse(state.owner.startedAt);
    if (age > LONG_RUN_MS && state.owner.pid > 0) {
      return {
        status: 'warning',
        summary: `a sync has held the lock for ${formatDuration(age, 'age')} (${describeOwner(state.owner, ctx.lockSystem)}); it may be stuck`,
        details: [file],
        fix: {
          text: 'Check that the process is fathom-sync and not making progress, then stop it; the next run carries on:',
          commands: [`ps -o pid,etime,args -p ${state.owner.pid}`, `kill ${state.owner.pid}`],
        },
      };
    }
    return { status: 'ok', summary: `a sync is running now (${describeOwner(state.owner, ctx.lockSystem)})` };
  },
};
