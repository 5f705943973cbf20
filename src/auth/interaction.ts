import readline from 'node:readline';
import { CancelledError } from '../core/errors.js';

/**
 * How `connect` and `disconnect` ask things: hidden prompts and questions only when stdin is a
 * terminal (never in CI or cron, where @inquirer/prompts would reject on a closed stdin), and
 * otherwise lines read from piped stdin. Prompts draw on stderr so stdout stays for results.
 */
export interface Interaction {
  /** A person is at a terminal: prompts are allowed. */
  readonly canPrompt: boolean;
  /** A secret, typed without echo. Only when canPrompt. */
  hidden(message: string): Promise<string>;
  /** A visible line. Only when canPrompt. */
  line(message: string, signal?: AbortSignal): Promise<string>;
  confirm(message: string, defaultAnswer: boolean): Promise<boolean>;
  /** The next line of piped stdin, or null at its end. Only when !canPrompt. */
  stdinLine(): Promise<string | null>;
  /** Stops reading stdin: an open pipe would otherwise keep the process alive. */
  close(): void;
}

export function createInteraction(stdin: NodeJS.ReadStream = process.stdin, stderr: NodeJS.WritableStream = process.stderr): Interaction {
  const canPrompt = Boolean(stdin.isTTY);
  let reader: readline.Interface | null = null;
  let lines: AsyncIterator<string> | null = null;
  const context = (signal?: AbortSignal) => ({ input: stdin, output: stderr, clearPromptOnDone: false, ...(signal ? { signal } : {}) });
  return {
    canPrompt,
    async hidden(message) {
      const { password } = await import('@inquirer/prompts');
      return asCancel(() => password({ message, mask: false }, context()));
    },
    async line(message, signal) {
      const { input } = await import('@inquirer/prompts');
      return asCancel(() => input({ message }, context(signal)));
    },
    async confirm(message, defaultAnswer) {
      const { confirm } = await import('@inquirer/prompts');
      return asCancel(() => confirm({ message, default: defaultAnswer }, context()));
    },
    async stdinLine() {
      // One reader for the whole run: the secret and a pasted URL may come from the same pipe.
      reader ??= readline.createInterface({ input: stdin, crlfDelay: Infinity, terminal: false });
      lines ??= reader[Symbol.asyncIterator]();
      const next = await lines.next();
      return next.done ? null : next.value;
    },
    close() {
      reader?.close();
    },
  };
}

async function asCancel<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'ExitPromptError') throw new CancelledError('cancelled');
    if (name === 'AbortPromptError' || name === 'AbortError') throw err;
    throw err;
  }
}
