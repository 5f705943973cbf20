import { LoginFailedError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { parsePastedRedirect } from './authorize-url.js';
import { stateMatches } from './oauth-state.js';
import { LoginTimeoutError, oauthError } from './oauth-errors.js';
import type { Interaction } from './interaction.js';

/**
 * The address the browser ended on, pasted by the user: with --manual (SSH sessions, where the
 * browser runs on another machine and fails to load the loopback redirect), and with an external
 * https redirect URI (the page there may fail to load, or show the address). Same checks as the
 * loopback server: state in constant time, on errors too.
 *
 * At a terminal a wrong paste (not the address, another login's state) is explained and asked
 * again, up to 5 times. From piped stdin the first non-empty line is the answer: a script gets
 * exit 4 with the reason at once instead of a login that waits for lines that will not come.
 */

/** Stdin ended before an address came: the paste can no longer win (another way in still may). */
export class PasteEndedError extends LoginFailedError {}

export interface PasteOptions<T> {
  expectedState: string;
  interaction: Interaction;
  timeoutMs: number;
  complete: (code: string) => Promise<T>;
  warn: (message: string) => void;
  clock: Clock;
  /** What the address looks like, for the explanation of a wrong paste. */
  addressHint: string;
  /** The command that starts over, for the fix lines. */
  retryCommand: string;
  /** Takes the login before completing a code; false when the forwarded redirect has it. */
  claim?: () => boolean;
  /** Aborted when another way in won: stop asking. */
  signal?: AbortSignal;
}

const MAX_ATTEMPTS = 5;

export async function waitForPastedRedirect<T>(options: PasteOptions<T>): Promise<T> {
  const { interaction } = options;
  const deadline = options.clock.now() + options.timeoutMs;
  const again = (message: string) => new LoginFailedError(`${message}; nothing was saved`, options.retryCommand);
  for (let answers = 0; answers < MAX_ATTEMPTS; ) {
    const text = await readPaste(options, deadline);
    if (text === null) throw new PasteEndedError('stdin ended before the redirected address was pasted; nothing was saved', options.retryCommand);
    // Blank lines (an extra Enter) are not an answer.
    if (!text.trim()) continue;
    answers++;
    const params = parsePastedRedirect(text);
    let wrong: string | null = null;
    if (!params) wrong = `that is not the address the browser ended on (${options.addressHint}, with code= and state=)`;
    else if (!stateMatches(options.expectedState, params.state)) wrong = 'that address belongs to another login (its state does not match this one)';
    if (wrong) {
      if (!interaction.canPrompt) throw again(wrong);
      options.warn(`${wrong}; paste the address from this login`);
      continue;
    }
    if (params!.error) throw oauthError(params!.error, params!.errorDescription, 'authorize');
    if (!params!.code) throw again('the pasted address has no authorization code');
    // The forwarded redirect got there first; its outcome is the login's (the caller ignores this).
    if (!(options.claim?.() ?? true)) throw new LoginFailedError('the login was completed by the forwarded redirect');
    return options.complete(params!.code);
  }
  throw again('too many addresses that were not the redirect');
}

/** One line: typed at the prompt, or the next line of piped stdin; null at the end of stdin. */
async function readPaste(options: PasteOptions<unknown>, deadline: number): Promise<string | null> {
  const remaining = deadline - options.clock.now();
  if (remaining <= 0) throw new LoginTimeoutError(options.timeoutMs);
  const controller = new AbortController();
  const stop = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new LoginTimeoutError(options.timeoutMs));
      controller.abort(); // closes the prompt
    }, remaining);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason ?? new Error('aborted')), { once: true });
    if (options.signal?.aborted) stop();
  });
  const { interaction } = options;
  try {
    return await Promise.race([
      interaction.canPrompt ? interaction.line('Paste the address your browser ended on:', controller.signal) : interaction.stdinLine(),
      interrupted,
    ]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}
