import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CancelledError, LocalResourceError, LoginFailedError, errorMessage } from '../core/errors.js';
import { callbackParams } from './authorize-url.js';
import { callbackPage } from './callback-page.js';
import { stateMatches } from './oauth-state.js';
import { LoginTimeoutError, oauthError } from './oauth-errors.js';
import { CALLBACK_PATH } from './oauth-endpoints.js';

/**
 * The one-shot loopback server that receives the OAuth redirect. Bound to 127.0.0.1 only (never
 * all interfaces, never "localhost" which may resolve elsewhere), answers only GET on the
 * redirect URI's path, and finishes the login inside the request handler so the browser page
 * can tell the user whether it worked. Over TLS when the registered redirect URI is https.
 */

export interface CallbackServerOptions<T> {
  port: number;
  /** The redirect URI's path (default /callback). */
  path?: string;
  /** Certificate and key for an https redirect URI; the key stays in memory. */
  tls?: { cert: string; key: string };
  /** What to tell the user when the port is taken. */
  portInUseFix?: string;
  /**
   * Takes the login for this server before it completes a code; false when another way in
   * (a pasted address) already has it. Without it the server is the only way in.
   */
  claim?: () => boolean;
  expectedState: string;
  timeoutMs: number;
  /** Exchanges, verifies and saves; its outcome decides the page and the result. */
  complete: (code: string) => Promise<T>;
  /** Told about answers that do not carry our state (stray prefetches, an old tab). */
  onStrayRequest?: (why: string) => void;
}

export interface CallbackServer<T> {
  port: number;
  /** Settles once with the login's outcome; the server is closed by then. */
  result: Promise<T>;
  close(): void;
}

export async function startCallbackServer<T>(options: CallbackServerOptions<T>): Promise<CallbackServer<T>> {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const result = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller may await `result` only after printing the URL; never leave it unhandled.
  result.catch(() => {});
  let busy = false;
  let done = false;
  // Armed once the server listens: the user's time starts when the URL can be answered.
  let timer: NodeJS.Timeout | undefined;

  const path = options.path ?? CALLBACK_PATH;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Exceptions in here would be unhandled rejections that kill Node: keep everything inside.
    handle(req, res).catch((err) => {
      if (!res.headersSent) void send(res, 500, 'Something went wrong', errorMessage(err), false);
      finish(() => settle.reject(err));
    });
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : http.createServer(onRequest);

  const finish = (fn: () => void) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    fn();
    // Callers await the last page's 'finish' before calling this; then drop every connection
    // (keep-alive sockets would otherwise hold close() open).
    server.close();
    server.closeAllConnections();
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path) return send(res, 404, 'Not found', 'This address is not part of the fathom-sync login.', false);
    if (req.method !== 'GET') return send(res, 405, 'Method not allowed', 'Only the browser redirect is accepted here.', false);
    if (done) return send(res, 410, 'Login already finished', 'This login has already finished.', false);
    const params = callbackParams(url.searchParams);
    // Checked on error answers too: an attacker's error redirect must not end our login.
    if (!stateMatches(options.expectedState, params.state)) {
      options.onStrayRequest?.(params.state ? 'its state does not match this login' : 'it carries no state');
      return send(res, 400, 'Unexpected answer', 'This answer does not belong to the login in progress; fathom-sync is still waiting for the right one.', false);
    }
    if (busy || !(options.claim?.() ?? true)) return send(res, 409, 'Login in progress', 'This login is already being completed.', false);
    busy = true;
    if (params.error) {
      const err = oauthError(params.error, params.errorDescription, 'authorize');
      await send(res, 200, 'Fathom did not grant access', err.message, false);
      return finish(() => settle.reject(err));
    }
    if (!params.code) {
      const err = new LoginFailedError('Fathom redirected back without an authorization code', 'run fathom-sync connect again');
      await send(res, 400, 'No authorization code', err.message, false);
      return finish(() => settle.reject(err));
    }
    let outcome: { ok: true; value: T } | { ok: false; err: unknown };
    try {
      outcome = { ok: true, value: await options.complete(params.code) };
    } catch (err) {
      outcome = { ok: false, err };
    }
    if (outcome.ok) {
      await send(res, 200, 'fathom-sync is connected', 'Your Fathom account is connected. fathom-sync will keep its token up to date.', true);
      const { value } = outcome;
      finish(() => settle.resolve(value));
    } else {
      const { err } = outcome;
      await send(res, 200, 'fathom-sync could not connect', errorMessage(err), false);
      finish(() => settle.reject(err));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, options.port, options.portInUseFix)));
    server.listen({ port: options.port, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  timer = setTimeout(() => {
    // A code being exchanged right now has its own timeouts: let it finish.
    if (!busy) finish(() => settle.reject(new LoginTimeoutError(options.timeoutMs)));
  }, options.timeoutMs);
  return {
    port: (server.address() as AddressInfo).port,
    result,
    close: () => finish(() => settle.reject(new CancelledError('login cancelled'))),
  };
}

/** Resolves once the page is handed to the socket (or the browser went away). */
function send(res: http.ServerResponse, status: number, title: string, message: string, ok: boolean): Promise<void> {
  const body = callbackPage(title, message, ok);
  const sent = new Promise<void>((resolve) => {
    res.once('finish', resolve);
    res.once('close', resolve);
  });
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  res.end(body);
  return sent;
}

function listenError(err: NodeJS.ErrnoException, port: number, portInUseFix?: string): LocalResourceError {
  if (err.code === 'EADDRINUSE') {
    return new LocalResourceError(
      `port ${port} on 127.0.0.1 is already in use, so the OAuth redirect cannot be received`,
      portInUseFix ?? `stop the program using port ${port}, or register http://127.0.0.1:<other port>/callback in your Fathom app and pass --port <other port>`,
    );
  }
  if (err.code === 'EACCES') {
    return new LocalResourceError(`not allowed to listen on port ${port}`, 'use a port above 1023 (and register that redirect URI)');
  }
  return new LocalResourceError(`cannot listen on 127.0.0.1:${port}: ${err.message}`);
}
