import { LocalResourceError } from '../core/errors.js';
import type { CallbackServer } from './callback-server.js';
import { PasteEndedError } from './manual-callback.js';

/**
 * An external https redirect URI has two ways back: the forwarder page sends the browser on to
 * the loopback listener, or the user pastes the address the browser ended on. Both wait at
 * once; the first to claim the login (a code or an error with our state) completes it, and the
 * other is closed then: the listener stops listening, the prompt is withdrawn. Any failure of
 * the one that claimed, or of either before a claim (a wrong paste from a script, a timeout),
 * ends the login and closes both.
 */
export interface Ways<T> {
  /** Starts the listener with the claim it must take before completing; may fail (port in use). */
  listen: (claim: () => boolean) => Promise<CallbackServer<T>>;
  /** Waits for a paste with the claim it must take, until the signal withdraws it. */
  paste: (claim: () => boolean, signal: AbortSignal) => Promise<T>;
  /** Told when the listener cannot start, and the paste carries on alone. */
  warn: (message: string) => void;
  /** Told when stdin ends, and the listener carries on alone. */
  info: (message: string) => void;
}

/**
 * Listens first (so the address the forwarder hands over to answers before the user sees the
 * authorize URL), then returns `race`, which starts the paste and settles with the login.
 */
export async function listenThenPaste<T>(ways: Ways<T>): Promise<{ race: () => Promise<T> }> {
  let winner: 'listener' | 'paste' | null = null;
  const withdrawPaste = new AbortController();
  let server: CallbackServer<T> | null = null;
  const claimFor = (who: 'listener' | 'paste') => () => {
    if (winner) return false;
    winner = who;
    if (who === 'listener') withdrawPaste.abort();
    else server?.close();
    return true;
  };
  try {
    server = await ways.listen(claimFor('listener'));
  } catch (err) {
    // Only the forwarder needs the listener: the paste still works.
    if (!(err instanceof LocalResourceError)) throw err;
    ways.warn(`${err.message}; the forwarder page cannot hand the code over, so paste the address instead`);
  }
  const race = () =>
    new Promise<T>((resolve, reject) => {
      let listening = server !== null;
      const fail = (err: unknown) => {
        withdrawPaste.abort();
        server?.close();
        reject(err);
      };
      server?.result.then(resolve, (err: unknown) => {
        listening = false;
        // Closed because the paste claimed the login: the paste's outcome is the one.
        if (winner !== 'paste') fail(err);
      });
      ways.paste(claimFor('paste'), withdrawPaste.signal).then(resolve, (err: unknown) => {
        if (winner === 'listener') return;
        if (err instanceof PasteEndedError && listening) {
          ways.info('stdin ended; still waiting for the forwarder page to hand the code over');
          return;
        }
        fail(err);
      });
    });
  return { race };
}
