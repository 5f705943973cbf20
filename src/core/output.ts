import { FathomSyncError, InterruptedError, errorMessage, exitCodeOf, type Fix } from './errors.js';

/**
 * The output host: every byte fathom-sync prints goes through here, so stream choice, TTY and CI
 * detection, colour, --quiet and --json are decided once, and so is how an error looks. Results
 * go to stdout; progress, warnings and errors to stderr. A command with --json prints exactly one
 * JSON value on stdout, its failures included.
 */

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface OutputMode {
  quiet?: boolean;
  json?: boolean;
}

export type Tone = 'ok' | 'warning' | 'failure' | 'dim';

const TONES: Record<Tone, [string, string]> = {
  ok: ['\u001b[32m', '\u001b[39m'],
  warning: ['\u001b[33m', '\u001b[39m'],
  failure: ['\u001b[31m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
};

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

export class OutputHost {
  /** Animations only when a person is watching: stderr is a terminal and this is not CI. */
  readonly interactive: boolean;
  /** Colour on stderr (messages, progress). */
  readonly color: boolean;
  /** Colour on stdout (results such as doctor's screen). */
  readonly stdoutColor: boolean;
  #mode: Required<OutputMode> = { quiet: false, json: false };
  #failureFields: () => Record<string, unknown> = () => ({});

  constructor(readonly streams: Streams) {
    this.interactive = Boolean(streams.stderr.isTTY) && !streams.env.CI && streams.env.TERM !== 'dumb';
    this.color = colorEnabled(streams.stderr, streams.env);
    this.stdoutColor = colorEnabled(streams.stdout, streams.env);
  }

  /** Set once by each command from its flags. */
  configure(mode: OutputMode): this {
    this.#mode = { quiet: mode.quiet ?? false, json: mode.json ?? false };
    return this;
  }

  get quiet(): boolean {
    return this.#mode.quiet;
  }

  get jsonMode(): boolean {
    return this.#mode.json;
  }

  /** The stream progress bars draw on. */
  get progressStream(): Streams['stderr'] {
    return this.streams.stderr;
  }

  /** A progress or status line on stderr; silent under --quiet. */
  info(message: string): void {
    if (!this.#mode.quiet) this.streams.stderr.write(`${message}\n`);
  }

  /** A warning on stderr; shown even under --quiet. */
  warn(message: string, fix?: Fix): void {
    this.streams.stderr.write(`${this.paint('warning', 'warning:', 'stderr')} ${message}\n`);
    if (fix) this.streams.stderr.write(renderFix(fix, '  '));
  }

  /** A `debug:` line on stderr, only with FATHOM_SYNC_DEBUG. */
  debug(message: string): void {
    if (this.streams.env.FATHOM_SYNC_DEBUG) this.streams.stderr.write(`fathom-sync: debug: ${message}\n`);
  }

  /** The command's result on stdout. */
  result(text: string): void {
    this.streams.stdout.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** `text` in a tone's colour when that stream shows colour. */
  paint(tone: Tone, text: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
    if (!(stream === 'stdout' ? this.stdoutColor : this.color)) return text;
    const [on, off] = TONES[tone];
    return `${on}${text}${off}`;
  }

  /**
   * Fields a command adds to its JSON failure object (run: duration and database), asked for at
   * the moment of failure.
   */
  onJsonFailure(fields: () => Record<string, unknown>): void {
    this.#failureFields = fields;
  }

  /**
   * An error as stderr shows it: `fathom-sync: [about: ]message`, and the fix under it. `about`
   * names what failed when one command reports several (run --all-profiles: the profile).
   */
  errorLines(err: unknown, about?: string): void {
    const head = `fathom-sync: ${about ? `${about}: ` : ''}`;
    if (err instanceof FathomSyncError) {
      this.streams.stderr.write(`${head}${err.message}\n`);
      if (err.fix) this.streams.stderr.write(renderFix(err.fix, '  '));
    } else if ((err as { name?: string } | null)?.name === 'AbortError') {
      this.streams.stderr.write(`${head}interrupted\n`);
    } else {
      this.streams.stderr.write(`${head}unexpected error: ${errorMessage(err)}\n`);
      if (this.streams.env.FATHOM_SYNC_DEBUG) this.streams.stderr.write(`${(err as Error | null)?.stack ?? ''}\n`);
    }
  }

  /**
   * The one place errors become output and an exit code: one line on stderr, the fix under it,
   * and under --json also a failure object on stdout, so scripts get JSON whatever went wrong.
   */
  printError(err: unknown): number {
    const code = exitCodeOf(err);
    this.errorLines(err);
    if (this.#mode.json) {
      this.json({
        status: err instanceof InterruptedError ? 'interrupted' : 'failed',
        error: errorMessage(err),
        exit_code: code,
        fix: err instanceof FathomSyncError ? (err.fix ?? null) : null,
        ...this.#failureFields(),
      });
    }
    return code;
  }
}

/**
 * A fix under an error or a warning: `fix: <sentence>` then a `$ command` line each; a fix that
 * is a single command and no sentence fits on the fix line itself.
 */
export function renderFix(fix: Fix, indent: string): string {
  if (fix.commands.length === 0) return `${indent}fix: ${fix.text}\n`;
  if (!fix.text && fix.commands.length === 1) return `${indent}fix: ${fix.commands[0]}\n`;
  return `${indent}fix: ${fix.text}\n${fix.commands.map((c) => `${indent}  $ ${c}\n`).join('')}`;
}
