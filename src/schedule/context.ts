import os from 'node:os';
import { resolvePaths } from '../core/paths.js';
import { systemCommandRunner, type CommandRunner } from './command-runner.js';
import { defaultCliPath } from './job.js';
import type { ScheduleContext } from './service.js';

/** The real machine as a ScheduleContext: this node, this CLI, this user, the real crontab/launchctl. */
export function systemScheduleContext(env: NodeJS.ProcessEnv, options: { crontabUser?: string; runner?: CommandRunner } = {}): ScheduleContext {
  const info = os.userInfo();
  const home = os.homedir();
  return {
    paths: resolvePaths({}, { env, platform: process.platform, homedir: home }),
    env,
    platform: process.platform,
    runner: options.runner ?? systemCommandRunner,
    nodePath: process.execPath,
    cliPath: defaultCliPath(),
    user: { name: info.username, home, uid: info.uid },
    ...(options.crontabUser ? { crontabUser: options.crontabUser } : {}),
    now: () => new Date(),
  };
}
