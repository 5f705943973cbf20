import { fileURLToPath } from 'node:url';
import type { Clock } from '../core/clock.js';
import type { OutputHost } from '../core/output.js';
import { formatDuration } from '../core/duration.js';
import { startCallbackServer } from './callback-server.js';
import { waitForPastedRedirect } from './manual-callback.js';
import { listenThenPaste } from './listener-or-paste.js';
import { createLoopbackCertificate } from './loopback-certificate.js';
import { openInBrowser } from './browser.js';
import { redirectUriFor } from './oauth-endpoints.js';
import type { RedirectTarget } from './redirect-uri.js';
import type { Interaction } from './interaction.js';

/** The forwarder page as shipped (package.json "files" includes it), to tell the user where it is. */
export const FORWARDER_PAGE = fileURLToPath(new URL('../../src/auth/oauth-forwarder.html', import.meta.url));

/**
 * How the authorization code comes back, for each kind of redirect URI (redirect-uri.ts): the
 * loopback server (plain or TLS), a paste (--manual), or, for an external https page, the
 * forwarder's hand-over and a paste, whichever comes first. Prints the authorize URL and what
 * the user will see; `complete` exchanges, checks and saves, and its outcome is returned.
 */
export interface RedirectFlowOptions<T> {
  redirect: RedirectTarget;
  manual: boolean;
  authorizeUrl: string;
  expectedState: string;
  timeoutMs: number;
  openBrowser: boolean;
  complete: (code: string) => Promise<T>;
  interaction: Interaction;
  output: OutputHost;
  clock: Clock;
}

export async function receiveAuthorization<T>(o: RedirectFlowOptions<T>): Promise<T> {
  if (o.manual) return pasteOnly(o);
  return o.redirect.kind === 'external' ? forwardedOrPasted(o, o.redirect) : loopback(o, o.redirect);
}

type Loopback = Extract<RedirectTarget, { kind: 'loopback' }>;
type External = Extract<RedirectTarget, { kind: 'external' }>;

/** --manual: nothing listens; the user pastes the address the browser ended on. */
function pasteOnly<T>(o: RedirectFlowOptions<T>): Promise<T> {
  const { redirect } = o;
  o.output.info(`Open this URL in a browser on any machine and approve fathom-sync:\n\n  ${o.authorizeUrl}\n`);
  const then = redirect.kind === 'loopback' ? `The browser then fails to load ${redirect.uri}?...: that is expected. ` : `The browser then goes to ${redirect.uri}?... `;
  o.output.info(`${then}Paste that whole address ${pasteWhere(o)} (within ${formatDuration(o.timeoutMs)}).`);
  return paste(o);
}

/** An external https page: the forwarder hands the code to a loopback listener, or the user pastes it. */
async function forwardedOrPasted<T>(o: RedirectFlowOptions<T>, redirect: External): Promise<T> {
  const { output } = o;
  const forwardTo = redirectUriFor(redirect.forwardPort);
  const { race } = await listenThenPaste<T>({
    listen: (claim) =>
      startCallbackServer({
        port: redirect.forwardPort,
        expectedState: o.expectedState,
        timeoutMs: o.timeoutMs,
        complete: o.complete,
        claim,
        portInUseFix: `stop the program using port ${redirect.forwardPort}, or pass --port <other port> and have the forwarder page hand over to it`,
        onStrayRequest: (why) => output.warn(`ignored a request to ${forwardTo} because ${why}; still waiting`),
      }),
    paste: (claim, signal) => paste(o, { claim, signal }),
    warn: (m) => output.warn(m),
    info: (m) => output.info(m),
  });
  output.info(`Open this URL in your browser to connect fathom-sync to Fathom:\n\n  ${o.authorizeUrl}\n`);
  output.info(
    `After you approve, Fathom sends the browser to ${redirect.uri}. If the fathom-sync forwarder page is there, it hands the code to ${forwardTo} and this finishes by itself; ` +
      `otherwise paste the address the browser ended on ${pasteWhere(o)} (within ${formatDuration(o.timeoutMs)}). The forwarder page to host is ${FORWARDER_PAGE}`,
  );
  if (o.openBrowser) await openInBrowser(o.authorizeUrl, (m) => output.warn(m));
  return race();
}

/** http(s)://127.0.0.1 or localhost: fathom-sync's one-shot server receives the browser itself. */
async function loopback<T>(o: RedirectFlowOptions<T>, redirect: Loopback): Promise<T> {
  const { output } = o;
  const certificate = redirect.tls ? createLoopbackCertificate({ now: o.clock.now(), lifetimeMs: o.timeoutMs + 10 * 60_000 }) : null;
  // Listen before printing the URL: a busy port is reported before the user approves anything.
  const server = await startCallbackServer({
    port: redirect.port,
    path: redirect.path,
    ...(certificate ? { tls: { cert: certificate.cert, key: certificate.key } } : {}),
    ...(redirect.uri !== redirectUriFor(redirect.port)
      ? { portInUseFix: `stop the program using port ${redirect.port}, or register a redirect URI with another port in your Fathom app and pass it with --redirect-uri` }
      : {}),
    expectedState: o.expectedState,
    timeoutMs: o.timeoutMs,
    complete: o.complete,
    onStrayRequest: (why) => output.warn(`ignored a request to ${redirect.uri} because ${why}; still waiting`),
  });
  output.info(`Open this URL in your browser to connect fathom-sync to Fathom:\n\n  ${o.authorizeUrl}\n`);
  if (certificate) {
    output.info(
      `Your browser will warn once that the connection to ${new URL(redirect.uri).host} is not private. That is expected: the redirect URI is https, so fathom-sync made a certificate for this one login, ` +
        'and no certificate authority vouches for a certificate of your own machine. Continue to the page (Advanced, then Proceed or Accept the risk). ' +
        `Its SHA-256 fingerprint is ${certificate.fingerprint256}; its key exists only in this process's memory.`,
    );
  }
  output.info(`Waiting up to ${formatDuration(o.timeoutMs)} for Fathom to redirect to ${redirect.uri} ...`);
  if (o.openBrowser) await openInBrowser(o.authorizeUrl, (m) => output.warn(m));
  return server.result;
}

function paste<T>(o: RedirectFlowOptions<T>, race: { claim?: () => boolean; signal?: AbortSignal } = {}): Promise<T> {
  const { redirect } = o;
  return waitForPastedRedirect({
    expectedState: o.expectedState,
    interaction: o.interaction,
    timeoutMs: o.timeoutMs,
    complete: o.complete,
    warn: (m) => o.output.warn(m),
    clock: o.clock,
    // After a failed hand-over the browser ends on the loopback address: that one is fine too.
    addressHint: redirect.kind === 'external' ? `it starts with ${redirect.uri} or ${redirectUriFor(redirect.forwardPort)}` : `it starts with ${redirect.uri}`,
    retryCommand: `run fathom-sync connect${o.manual ? ' --manual' : ''} again`,
    ...race,
  });
}

function pasteWhere(o: RedirectFlowOptions<unknown>): string {
  return o.interaction.canPrompt ? 'here' : 'as the first line of stdin';
}
