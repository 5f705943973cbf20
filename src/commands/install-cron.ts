import os from 'node:os';
import { ExitCode, UsageError } from '../core/errors.js';
import type { OutputHost } from '../core/output.js';
import type { AppContext } from '../core/context.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import { parseMinute, type JobTarget } from '../schedule/job.js';
import { scheduleContextFor } from '../schedule/context.js';
import { installSchedule, type InstallOutcome } from '../schedule/service.js';
import { renderJobCommand } from '../schedule/crontab-text.js';

export interface InstallCronFlags {
  dryRun?: boolean;
  minute?: string;
  json?: boolean;
  /** Hidden and test-only: edit another user's crontab (root only); tests use a throwaway user. */
  crontabUser?: string;
  /** The job runs `run --all-profiles`. */
  allProfiles?: boolean;
  /** --profile, given before or after `install-cron` (cli.ts merges the two): only to refuse it beside --all-profiles. */
  profile?: string;
}

/**
 * Which profiles the job syncs: every connected one with --all-profiles, else the command's
 * profile (--profile or FATHOM_SYNC_PROFILE; the job names it with --profile, never a secret).
 */
export async function jobTargetFor(flags: InstallCronFlags, app: AppContext): Promise<JobTarget> {
  if (flags.allProfiles) {
    if (flags.profile !== undefined) throw new UsageError('--all-profiles and --profile cannot be combined: the job either syncs every connected profile or one');
    return { allProfiles: true };
  }
  const { assertKnownProfile } = await import('../auth/profile-names.js');
  assertKnownProfile(app);
  return { profile: app.profile };
}

export async function installCronCommand(flags: InstallCronFlags, app: AppContext): Promise<number> {
  const minute = flags.minute === undefined ? undefined : parseMinute(flags.minute);
  const target = await jobTargetFor(flags, app);
  const ctx = scheduleContextFor(app, flags.crontabUser ? { crontabUser: flags.crontabUser } : {});
  const outcome = await installSchedule(ctx, { dryRun: flags.dryRun ?? false, host: os.hostname(), target, ...(minute === undefined ? {} : { minute }) });
  const { output } = app;
  if (flags.json) output.json(toJson(outcome));
  else printOutcome(output, outcome);
  return ExitCode.ok;
}

function toJson(o: InstallOutcome): object {
  const credential = o.credential
    ? {
        readable: o.credential.reachability.readable,
        ...('detail' in o.credential.reachability ? { detail: o.credential.reachability.detail } : {}),
        ...('reason' in o.credential.reachability ? { reason: o.credential.reachability.reason } : {}),
        ...(o.credential.fix ? { fix: o.credential.fix } : {}),
      }
    : null;
  return {
    dry_run: o.dryRun,
    scheduler: o.change.kind,
    target: o.change.target,
    changed: !o.dryRun && o.change.changes,
    minute: o.job.minute,
    all_profiles: 'allProfiles' in o.target,
    profiles: o.profiles,
    command: renderJobCommand(o.job),
    node_path: o.job.nodePath,
    cli_path: o.job.cliPath,
    env: o.job.env,
    log_file: o.job.logFile,
    content: o.change.content,
    commands: o.change.commands,
    credential,
  };
}

/** ", profiles default, work": which profiles the job syncs, when that is not just `default`. */
function whichProfiles(o: InstallOutcome): string {
  if ('allProfiles' in o.target) return `, every connected profile one after another (now: ${o.profiles.join(', ') || 'none'})`;
  return o.target.profile === DEFAULT_PROFILE ? '' : `, profile ${o.target.profile}`;
}

function printOutcome(output: OutputHost, o: InstallOutcome): void {
  const when = `every hour at minute ${o.job.minute}${whichProfiles(o)}`;
  if (o.dryRun) {
    output.result(`Dry run, nothing changed. install-cron would write ${o.change.target} (${when}):`);
    output.result('');
    output.result((o.change.content ?? '').replace(/\n$/, ''));
    if (o.change.kind === 'launchd') {
      output.result('');
      output.result('and then run:');
      for (const command of o.change.commands) output.result(`  ${command.join(' ')}`);
    }
    return;
  }
  if (o.change.changes) output.result(`Installed the hourly sync in ${o.change.target} (${when}):`);
  else output.result(`The hourly sync is already installed in ${o.change.target} (${when}); nothing changed:`);
  output.result(`  ${o.change.kind === 'crontab' ? o.change.owned.split('\n').find((l) => /^\d/.test(l)) : o.change.target}`);
  output.result(`Its output is appended to ${o.job.logFile}; \`fathom-sync log\` lists the runs, \`fathom-sync doctor\` checks everything.`);
  output.result('Remove it with: fathom-sync uninstall-cron');
  const check = o.credential;
  if (!check) return;
  const r = check.reachability;
  if (r.readable === true) {
    output.result(`✓ The scheduled job can read the Fathom credential (${r.detail}).`);
    return;
  }
  const why = r.readable === false ? 'the scheduled job cannot read the Fathom credential' : 'could not check that the scheduled job can read the Fathom credential';
  output.warn(`${why}: ${r.reason}`, check.fix);
}
