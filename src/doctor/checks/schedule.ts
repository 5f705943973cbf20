import { isScheduledArgs } from '../../schedule/job.js';
import { nodeMajor, MINIMUM_NODE_MAJOR } from './node.js';
import type { CheckResult, DoctorCheck, DoctorContext } from '../types.js';
import type { InstalledJob } from '../../schedule/scheduler.js';

const REINSTALL = { text: 'Reinstall the schedule with the node and fathom-sync you run now:', commands: ['fathom-sync install-cron'] };

export const scheduleCheck: DoctorCheck = {
  id: 'schedule',
  title: 'Schedule',
  async run(ctx) {
    const facts = await ctx.installedJob();
    if ('error' in facts) {
      return { status: 'warning', summary: `cannot read the schedule: ${facts.error}` };
    }
    const job = facts.job;
    const recorded = ctx.config.schedule;
    if (!job) {
      if (recorded) {
        return {
          status: 'failure',
          summary: `install-cron ran at ${recorded.installedAt}, but the ${recorded.kind} entry is gone`,
          fix: { text: 'Install it again:', commands: ['fathom-sync install-cron'] },
        };
      }
      return { status: 'warning', summary: 'no hourly sync is installed', fix: { text: 'Sync every hour automatically:', commands: ['fathom-sync install-cron'] } };
    }
    return inspectJob(ctx, job);
  },
};

async function inspectJob(ctx: DoctorContext, job: InstalledJob): Promise<CheckResult> {
  const where = `${job.kind === 'crontab' ? 'crontab' : 'LaunchAgent'}, minute ${job.minute}`;
  const details = [`node: ${job.nodePath ?? '?'}`, `cli: ${job.cliPath ?? '?'}`, `in: ${job.target}`];
  if (!job.nodePath || !ctx.isExecutable(job.nodePath)) {
    return { status: 'failure', summary: `the job runs ${job.nodePath ?? 'nothing'}, which no longer exists (a Node.js upgrade or nvm switch?)`, details, fix: REINSTALL };
  }
  if (!job.cliPath || !ctx.fileExists(job.cliPath)) {
    return { status: 'failure', summary: `the job runs ${job.cliPath ?? 'nothing'}, which no longer exists (fathom-sync moved or was uninstalled?)`, details, fix: REINSTALL };
  }
  const version = await ctx.runner.run(job.nodePath, ['--version'], { timeoutMs: 10_000 });
  const major = nodeMajor(version.stdout.trim());
  if (version.code !== 0 || !(major >= MINIMUM_NODE_MAJOR)) {
    return {
      status: 'failure',
      summary: `the job's node (${job.nodePath}) ${version.code === 0 ? `is ${version.stdout.trim()}, older than ${MINIMUM_NODE_MAJOR}` : 'does not run'}`,
      details,
      fix: REINSTALL,
    };
  }
  details.push(`node version: ${version.stdout.trim()}`);
  if (!isScheduledArgs(job.args)) {
    return { status: 'warning', summary: `the entry was edited: it runs "${job.args.join(' ')}"`, details, fix: REINSTALL };
  }
  if (job.kind === 'launchd') {
    if (job.loaded === false) {
      return { status: 'failure', summary: 'the LaunchAgent is not loaded', details, fix: { text: 'Load it again:', commands: ['fathom-sync install-cron'] } };
    }
    if (typeof job.lastExitCode === 'number' && job.lastExitCode !== 0) {
      details.push(`log: ${ctx.paths.logFile}`);
      return { status: 'warning', summary: `installed (${where}); its last run exited with ${job.lastExitCode}`, details, fix: { text: 'See what happened:', commands: [`tail -n 20 '${ctx.paths.logFile}'`, 'fathom-sync log'] } };
    }
  }
  if (job.nodePath !== ctx.nodePath) details.push(`(you are running ${ctx.nodePath})`);
  return { status: 'ok', summary: `installed (${where})`, details };
}
