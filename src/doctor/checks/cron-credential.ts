import os from 'node:os';
import { checkJobCredential, planJob } from '../../schedule/service.js';
import type { DoctorCheck } from '../types.js';

/**
 * The credential as the scheduled job will look for it: cron and launchd start jobs without the
 * user's shell variables or session bus, so a credential found here may be invisible there.
 */
export const cronCredentialCheck: DoctorCheck = {
  id: 'cron-credential',
  title: 'Credential for the job',
  timeoutMs: 30_000,
  async run(ctx) {
    const facts = await ctx.credential();
    if (!facts.found && !facts.problem) return { status: 'skipped', summary: 'no credential to look for' };
    const installed = await ctx.installedJob();
    const installedJob = 'job' in installed ? installed.job : null;
    // The job's own env (what install-cron wrote), run by this node and CLI: whether the job's
    // node still exists is the schedule check's business.
    const planned = planJob(ctx.schedule, ctx.config, { host: os.hostname() });
    // The installed job's own arguments too: they say which profiles it syncs.
    const job = installedJob ? { ...planned, env: installedJob.env, args: installedJob.args } : planned;
    const kind = ctx.platform === 'darwin' ? 'launchd' : 'crontab';
    const { reachability, fix } = await checkJobCredential(ctx.schedule, job, kind, ctx.config);
    const how = kind === 'launchd' ? 'the LaunchAgent environment' : 'a cron-like environment (env -i, PATH=/usr/bin:/bin)';
    const carried = Object.keys(job.env);
    const details = [`tested in ${how}${carried.length ? ` with ${carried.join(', ')}` : ''}`];
    if (reachability.readable === true) return { status: 'ok', summary: `the scheduled job can read it (${reachability.detail})`, details };
    if (reachability.readable === 'unknown') {
      return { status: 'warning', summary: `could not test: ${reachability.reason}`, details };
    }
    // Without a schedule this is a warning about the future; with one, runs are failing now.
    return {
      status: installedJob ? 'failure' : 'warning',
      summary: `${installedJob ? 'the scheduled job' : 'a scheduled job'} cannot read it: ${reachability.reason}`,
      details,
      ...(fix ? { fix } : {}),
    };
  },
};
