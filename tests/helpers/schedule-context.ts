import path from 'node:path';
import { resolvePaths } from '../../src/core/paths.js';
import type { CommandRunner } from '../../src/schedule/command-runner.js';
import type { ScheduleContext } from '../../src/schedule/service.js';

/**
 * A ScheduleContext for unit tests: user ann (uid 1000) on Linux, FATHOM_SYNC_HOME under `dir`,
 * a fixed clock, and the runner the test stands in for crontab and the CLI with.
 */
export function testScheduleContext(dir: string, runner: CommandRunner, env: NodeJS.ProcessEnv = {}): ScheduleContext {
  const fullEnv = { FATHOM_SYNC_HOME: path.join(dir, 'fs'), ...env };
  return {
    paths: resolvePaths({}, { env: fullEnv, platform: 'linux', homedir: dir }),
    env: fullEnv,
    platform: 'linux',
    runner,
    nodePath: '/usr/bin/node',
    cliPath: '/opt/fs/bin/fathom-sync.js',
    user: { name: 'ann', home: dir, uid: 1000 },
    clock: { now: () => Date.parse('2026-03-01T10:00:00Z'), sleep: async () => {} },
  };
}
