import { LoginFailedError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { parsePastedRedirect } from './authorize-url.js';
import { stateMatches } from './oauth-state.js';
import { LoginTimeoutError, oauthError } from './oauth-errors.js';
import type { Interaction } from './interaction.js';

/**
 * --manual (SSH sessions, where the browser runs on another machine): the user approves in any
 * browser, which then fails to load http://127.0.0.1:<port>/callback?...; they paste that
 * address here. Same checks as the loopback server: state in constant time, on errors too.
 */
export async function waitForPastedRedirect<T>(options: {
  expectedState: string;
  interaction: Interaction;
  timeoutMs: number;
  complete: (code: string) => Promise<T>;
  warn: (message: string) => void;
  clock: Clock;
}): Promise<T> {
  const { interaction } = options;
  const deadline = options.clock.now() + options.timeoutMs;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const remaining = deadline - options.clock.now();
    if (remaining <= 0) throw new LoginTimeoutError(options.timeoutMs);
    const text = await withTimeout(
      (signal) => (interaction.canPrompt ? interaction.line('Paste the address your browser ended on:', signal) : interaction.stdinLine()),
      remaining,
      () => new LoginTimeoutError(options.timeoutMs),
    );
    if (text === null) throw new LoginFailedError('stdin ended before the redirected address was pasted; nothing was saved', 'run fathom-sync connect --manual again');
    const params = parsePastedRedirect(text);
    if (!params) {
      options.warn('that is not the redirected address: it starts with http://127.0.0.1:<port>/callback? and carries code= and state=');
      continue;
    }
    if (!stateMatches(options.expectedState, params.state)) {
      options.warn('that address belongs to another login (its state does not match); paste the address from this login');
      continue;
    }
    if (params.error) throw oauthError(params.error, params.errorDescription, 'authorize');
    if (!params.code) throw new LoginFailedError('the pasted address has no authorization code', 'run fathom-sync connect --manual again');
    return options.complete(params.code);
  }
  throw new LoginFailedError('too many addresses that were not the redirect; nothing was saved', 'run fathom-sync connect --manual again');
}

async function withTimeout<T>(run: (signal: AbortSignal) => Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(onTimeout());
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
