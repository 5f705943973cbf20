import type { AppContext } from '../core/context.js';
import { systemCommandRunner, type CommandRunner } from './command-runner.js';
import { defaultCliPath } from './job.js';
import type { ScheduleContext } from './service.js';

/** The application context as a ScheduleContext: this node, this CLI, this user, the real crontab/launchctl. */
export function scheduleContextFor(app: AppContext, options: { crontabUser?: string; runner?: CommandRunner } = {}): ScheduleContext {
  return {
    paths: app.paths,
    env: app.env,
    platform: app.platform,
    runner: options.runner ?? systemCommandRunner,
    nodePath: app.nodePath,
    cliPath: defaultCliPath(),
    user: app.user,
    ...(options.crontabUser ? { crontabUser: options.crontabUser } : {}),
    clock: app.clock,
  };
}
