import { spawn } from 'node:child_process';
import os from 'node:os';
import { AS_NOBODY, need } from './capabilities.js';
import { CLI, collect, runCli, type CliResult } from './cli.js';

export interface UnprivilegedRunner {
  skip: boolean;
  title: (text: string) => string;
  /** Whether the runner is someone other than the tests' own user (root running it as nobody). */
  asOtherUser: boolean;
  run: (args: string[], env: NodeJS.ProcessEnv) => Promise<CliResult>;
}

/**
 * Runs the CLI as an ordinary user: as is when the tests are not root, else as `nobody` through
 * setpriv(1). need('unprivileged-user') says whether either is possible.
 */
export function unprivilegedRunner(): UnprivilegedRunner {
  const { skip, title } = need('unprivileged-user');
  if (process.getuid?.() !== 0) return { skip, title, asOtherUser: false, run: (args, env) => runCli(args, env) };
  return {
    skip,
    title,
    asOtherUser: true,
    run: (args, env) => {
      const child = spawn('setpriv', [...AS_NOBODY, process.execPath, CLI, ...args], { env, cwd: os.tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin!.end();
      return collect(child);
    },
  };
}
