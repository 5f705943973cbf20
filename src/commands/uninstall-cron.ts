import { ExitCode } from '../core/errors.js';
import type { AppContext } from '../core/context.js';
import { scheduleContextFor } from '../schedule/context.js';
import { uninstallSchedule } from '../schedule/service.js';

export interface UninstallCronFlags {
  dryRun?: boolean;
  json?: boolean;
  /** Hidden and test-only: edit another user's crontab (root only); tests use a throwaway user. */
  crontabUser?: string;
}

export async function uninstallCronCommand(flags: UninstallCronFlags, app: AppContext): Promise<number> {
  const ctx = scheduleContextFor(app, flags.crontabUser ? { crontabUser: flags.crontabUser } : {});
  const { dryRun, change } = await uninstallSchedule(ctx, { dryRun: flags.dryRun ?? false });
  const { output } = app;
  if (flags.json) {
    output.json({ dry_run: dryRun, scheduler: change.kind, target: change.target, removed: change.changes && !dryRun, owned: change.owned, content: change.content, commands: change.commands });
    return ExitCode.ok;
  }
  if (!change.changes) {
    output.result(`No fathom-sync schedule in ${change.target}; nothing changed.`);
    return ExitCode.ok;
  }
  const owned = change.owned.replace(/\n$/, '');
  if (dryRun) {
    output.result(`Dry run, nothing changed. uninstall-cron would remove from ${change.target}:`);
    output.result(owned);
    if (change.kind === 'crontab') {
      output.result('');
      output.result(change.content === null ? 'leaving no crontab (crontab -r).' : 'leaving this crontab:');
      if (change.content !== null) output.result(change.content.replace(/\n$/, ''));
    } else {
      output.result('after running:');
      for (const command of change.commands) output.result(`  ${command.join(' ')}`);
    }
    return ExitCode.ok;
  }
  output.result(`Removed the hourly sync from ${change.target}.`);
  return ExitCode.ok;
}
