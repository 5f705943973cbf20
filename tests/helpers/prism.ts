import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Stoplight Prism (devDependency @stoplight/prism-cli) as a subprocess on 127.0.0.1, on a port
 * the OS picks (`-p 0`; Prism prints the one it got). Ready when it logs "Prism is listening";
 * stopped with SIGTERM. Its log is kept: request and response violations are read from it.
 *
 * Prism 5.14.2 is the newest whose dependency tree declares Node 20 (5.15+ want Node >= 24).
 */

const require = createRequire(import.meta.url);

function prismBin(): string {
  const pkgFile = require.resolve('@stoplight/prism-cli/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.prism!;
  return path.join(path.dirname(pkgFile), bin);
}

export interface Violation {
  /** e.g. request.query.include_summary, response.body.items.0.title, request (security). */
  location: string;
  message: string;
}

export interface PrismServer {
  url: string;
  /** The whole log so far (ANSI codes removed). */
  log(): string;
  /** A mark in the log, to read what came after it. */
  mark(): number;
  /** Violation lines Prism logged (after `since`, a mark). */
  violations(since?: number): Violation[];
  stop(): Promise<void>;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * `args`: the Prism command after `prism`, e.g. ['mock', '-d', spec] or ['proxy', '--errors',
 * spec, upstream]. Host and port are added here.
 */
export async function startPrism(args: string[], options: { readyTimeoutMs?: number } = {}): Promise<PrismServer> {
  const child: ChildProcess = spawn(process.execPath, [prismBin(), ...args, '-h', '127.0.0.1', '-p', '0'], {
    env: { PATH: process.env.PATH, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Prism did not start within ${options.readyTimeoutMs ?? 30_000} ms:\n${log}`));
    }, options.readyTimeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      log += d.toString('utf8').replace(ANSI, '');
      const m = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited (${code}) before listening:\n${log}`));
    });
  });
  // Everything logged before "listening" is Prism's list of routes: not traffic.
  const ready = log.length;
  return {
    url,
    log: () => log,
    mark: () => log.length,
    violations: (since = ready) =>
      log
        .slice(Math.max(since, ready))
        .split('\n')
        .flatMap((line) => {
          const m = /Violation: (\S+) (.*)$/.exec(line);
          return m ? [{ location: m[1]!, message: m[2]!.trim() }] : [];
        }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
