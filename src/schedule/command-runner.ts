import { spawn } from 'node:child_process';

/**
 * The one way scheduling and doctor talk to other programs (crontab, launchctl, a cron-like
 * copy of ourselves). Tests replace it with a recorder; the real one never uses a shell.
 */

export interface CommandResult {
  /** Exit code; null when the program could not start or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why the program did not run or finish: ENOENT, a timeout... */
  error?: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  /** The complete environment of the child (nothing is inherited when given). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
}

export interface CommandRunner {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export const systemCommandRunner: CommandRunner = {
  run(command, args, options = {}) {
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      let error: string | undefined;
      const child = spawn(command, [...args], {
        env: options.env ?? process.env,
        cwd: options.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const timer = setTimeout(() => {
        error = `timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      let settled = false;
      const settle = (code: number | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ code: error ? null : code, stdout, stderr, ...(error ? { error } : {}) });
      };
      // A program that cannot start emits 'error' and possibly no 'close'.
      child.once('error', (err: NodeJS.ErrnoException) => {
        error = err.code ?? err.message;
        settle(null);
      });
      // A child that exits without reading stdin makes the write fail with EPIPE: not our error.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
      child.once('close', (code) => settle(code));
    });
  },
};

/** "crontab -l failed: <stderr or error>", for messages. */
export function describeFailure(command: string, result: CommandResult): string {
  const why = result.error ?? (result.stderr.trim().split('\n').pop() || `exit code ${result.code}`);
  return `${command} failed: ${why}`;
}
