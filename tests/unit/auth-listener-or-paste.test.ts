import { describe, expect, it } from 'vitest';
import { listenThenPaste, type Ways } from '../../src/auth/listener-or-paste.js';
import type { CallbackServer } from '../../src/auth/callback-server.js';
import { PasteEndedError } from '../../src/auth/manual-callback.js';
import { CancelledError, LocalResourceError, LoginFailedError } from '../../src/core/errors.js';

/**
 * The race of an external https redirect URI, with both ways scripted: the test decides when
 * each claims the login and how it ends, and checks the other is closed.
 */

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function scripted(options: { listenFails?: boolean } = {}) {
  const listener = deferred<string>();
  const paste = deferred<string>();
  const log: string[] = [];
  let claimListener!: () => boolean;
  let claimPaste!: () => boolean;
  let pasteSignal!: AbortSignal;
  const server: CallbackServer<string> = {
    port: 1,
    result: listener.promise,
    close: () => {
      log.push('server closed');
      listener.reject(new CancelledError('login cancelled'));
    },
  };
  const ways: Ways<string> = {
    listen: async (claim) => {
      if (options.listenFails) throw new LocalResourceError('port 1 on 127.0.0.1 is already in use');
      claimListener = claim;
      return server;
    },
    paste: (claim, signal) => {
      claimPaste = claim;
      pasteSignal = signal;
      signal.addEventListener('abort', () => {
        log.push('paste withdrawn');
        paste.reject(new Error('aborted'));
      });
      return paste.promise;
    },
    warn: (m) => log.push(`warn: ${m}`),
    info: (m) => log.push(`info: ${m}`),
  };
  return {
    ways,
    listener,
    paste,
    log,
    claimListener: () => claimListener(),
    claimPaste: () => claimPaste(),
    pasteSignal: () => pasteSignal,
  };
}

describe('listener or paste', () => {
  it('the forwarded callback claims first: the paste is withdrawn, the listener decides', async () => {
    const s = scripted();
    const result = (await listenThenPaste(s.ways)).race();
    expect(s.claimListener()).toBe(true);
    expect(s.pasteSignal().aborted).toBe(true);
    // A paste arriving now cannot take the login.
    expect(s.claimPaste()).toBe(false);
    s.listener.resolve('from the listener');
    expect(await result).toBe('from the listener');
    expect(s.log).toEqual(['paste withdrawn']);
  });

  it('the paste claims first: the listener is closed (its cancellation is not the outcome), the paste decides', async () => {
    const s = scripted();
    const result = (await listenThenPaste(s.ways)).race();
    expect(s.claimPaste()).toBe(true);
    expect(s.log).toEqual(['server closed']);
    expect(s.claimListener()).toBe(false);
    s.paste.resolve('from the paste');
    expect(await result).toBe('from the paste');
  });

  it('a failure of the one that claimed ends the login', async () => {
    const s = scripted();
    const result = (await listenThenPaste(s.ways)).race();
    s.claimListener();
    s.listener.reject(new LoginFailedError('access_denied'));
    await expect(result).rejects.toThrow('access_denied');
  });

  it('a wrong paste before any claim (from a script) ends the login and closes the listener', async () => {
    const s = scripted();
    const result = (await listenThenPaste(s.ways)).race();
    s.paste.reject(new LoginFailedError('that address belongs to another login'));
    await expect(result).rejects.toThrow('another login');
    expect(s.log).toContain('server closed');
  });

  it('stdin ending leaves the listener to finish alone', async () => {
    const s = scripted();
    const result = (await listenThenPaste(s.ways)).race();
    s.paste.reject(new PasteEndedError('stdin ended'));
    await Promise.resolve();
    s.claimListener();
    s.listener.resolve('forwarded');
    expect(await result).toBe('forwarded');
    expect(s.log).toContain('info: stdin ended; still waiting for the forwarder page to hand the code over');
  });

  it('a timeout of the listener ends the login and withdraws the paste', async () => {
    const s = scripted();
    const result = (await listenThenPaste(s.ways)).race();
    s.listener.reject(new LoginFailedError('no answer from the browser within 1 s'));
    await expect(result).rejects.toThrow('no answer');
    expect(s.pasteSignal().aborted).toBe(true);
  });

  it('a listener that cannot start leaves the paste alone, with a warning', async () => {
    const s = scripted({ listenFails: true });
    const result = (await listenThenPaste(s.ways)).race();
    expect(s.log[0]).toMatch(/^warn: port 1 on 127\.0\.0\.1 is already in use; the forwarder page cannot hand the code over, so paste the address instead$/);
    expect(s.claimPaste()).toBe(true);
    s.paste.resolve('pasted');
    expect(await result).toBe('pasted');
  });

  it('without a listener, stdin ending ends the login', async () => {
    const s = scripted({ listenFails: true });
    const result = (await listenThenPaste(s.ways)).race();
    s.paste.reject(new PasteEndedError('stdin ended before the redirected address was pasted'));
    await expect(result).rejects.toBeInstanceOf(PasteEndedError);
  });
});
