/**
 * The output host: every message goes through here, so stream choice, TTY detection,
 * colour and --quiet are decided once. Results go to stdout; progress, warnings and errors
 * to stderr.
 */

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
}

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

export class Output {
  readonly interactive: boolean;
  readonly color: boolean;
  constructor(
    readonly streams: Streams,
    readonly options: OutputOptions = {},
  ) {
    // Animations only when a person is watching: stderr is a terminal and this is not CI.
    this.interactive = Boolean(streams.stderr.isTTY) && !streams.env.CI && streams.env.TERM !== 'dumb';
    this.color = colorEnabled(streams.stderr, streams.env);
  }

  /** A progress or status line on stderr; silent under --quiet. */
  info(message: string): void {
    if (!this.options.quiet) this.streams.stderr.write(`${message}\n`);
  }

  /** A warning on stderr; shown even under --quiet. */
  warn(message: string): void {
    const label = this.color ? '\u001b[33mwarning:\u001b[39m' : 'warning:';
    this.streams.stderr.write(`${label} ${message}\n`);
  }

  /** The command's result on stdout. */
  result(text: string): void {
    this.streams.stdout.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(s % 60).padStart(2, '0')}s`;
}
