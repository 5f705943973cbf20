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

/**
 * How the authorization code comes back, for each kind of redirect URI (redirect-uri.ts): the
 * loopback server (plain or TLS), a paste (--manual), or, for an external https page, the
 * forwarder's hand-over and a paste, whichever comes first. Prints the authorize URL and what
 * the user will see; `complete` exchanges, checks and saves, and its outcome is returned.
 */
/** The forwarder page as shipped (package.json "files" includes it), to tell the user where it is. */
export const FORWARDER_PAGE = fileURLToPath(new URL('../../src/auth/oauth-forwarder.html', import.meta.url));

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
  const { output, redirect } = o;
  const timeoutText = formatDuration(o.timeoutMs);
  const retryCommand = `run fathom-sync connect${o.manual ? ' --manual' : ''} again`;
  const paste = (extra: { claim?: () => boolean; signal?: AbortSignal } = {}) =>
    waitForPastedRedirect({
      expectedState: o.expectedState,
      interaction: o.interaction,
      timeoutMs: o.timeoutMs,
      complete: o.complete,
      warn: (m) => output.warn(m),
      clock: o.clock,
      addressHint: redirect.kind === 'external' ? `it starts with ${redirect.uri} or ${redirectUriFor(redirect.forwardPort)}` : `it starts with ${redirect.uri}`,
      retryCommand,
      ...extra,
    });
  const where = o.interaction.canPrompt ? 'here' : 'as the first line of stdin';

  if (o.manual) {
    output.info(`Open this URL in a browser on any machine and approve fathom-sync:\n\n  ${o.authorizeUrl}\n`);
    const fails = redirect.kind === 'loopback' ? `The browser then fails to load ${redirect.uri}?...: that is expected. ` : `The browser then goes to ${redirect.uri}?... `;
    output.info(`${fails}Paste that whole address ${where} (within ${timeoutText}).`);
    return paste();
  }

  if (redirect.kind === 'external') {
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
      paste: (claim, signal) => paste({ claim, signal }),
      warn: (m) => output.warn(m),
      info: (m) => output.info(m),
    });
    output.info(`Open this URL in your browser to connect fathom-sync to Fathom:\n\n  ${o.authorizeUrl}\n`);
    output.info(
      `After you approve, Fathom sends the browser to ${redirect.uri}. If the fathom-sync forwarder page is there, it hands the code to ${forwardTo} and this finishes by itself; ` +
        `otherwise paste the address the browser ended on ${where} (within ${timeoutText}). The forwarder page to host is ${FORWARDER_PAGE}`,
    );
    if (o.openBrowser) await openInBrowser(o.authorizeUrl, (m) => output.warn(m));
    return race();
  }

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
  output.info(`Waiting up to ${timeoutText} for Fathom to redirect to ${redirect.uri} ...`);
  if (o.openBrowser) await openInBrowser(o.authorizeUrl, (m) => output.warn(m));
  return server.result;
}
