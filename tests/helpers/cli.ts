import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'bin', 'fathom-sync.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a subprocess. Asynchronous on purpose: the fake server usually runs in
 * the test's own process and must keep answering while the CLI waits on it.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; cwd?: string } = {}): Promise<CliResult> {
  const child = startCli(args, env, options.cwd);
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();
  return collect(child);
}

export function startCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { env, cwd: cwd ?? REPO, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Starts the CLI with nothing on stdin: the process, its pid and its result to come. */
export function launch(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; pid: number; done: Promise<CliResult> } {
  const child = startCli(args, env);
  child.stdin!.end();
  return { child, pid: child.pid!, done: collect(child) };
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves once the child's stderr contains `text`; rejects if it exits first. */
export function stderrContains(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer | string) => {
      seen += d.toString();
      if (seen.includes(text)) resolve();
    });
    child.once('close', () => reject(new Error(`exited without printing "${text}"; stderr: ${seen}`)));
  });
}

/** A throwaway FATHOM_SYNC_HOME and an environment with nothing of the user's configuration. */
export function tempHome(prefix = 'fathom-sync-test-'): { home: string; cleanup: () => void; baseEnv: NodeJS.ProcessEnv } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    FATHOM_SYNC_HOME: path.join(home, 'fs'),
    FATHOM_SYNC_RETRY_BASE_MS: '10',
    LANG: 'C.UTF-8',
  };
  return { home, baseEnv, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export function dbPath(env: NodeJS.ProcessEnv): string {
  return path.join(env.FATHOM_SYNC_HOME!, 'data', 'fathom-sync.db');
}
