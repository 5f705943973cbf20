import { UsageError } from '../core/errors.js';
import { CALLBACK_PATH, DEFAULT_CALLBACK_PORT, redirectUriFor } from './oauth-endpoints.js';

/**
 * The redirect URI registered with the user's Fathom app, and what it means for how the
 * authorization code comes back (../shared/notes/fathom-api.md §2: Fathom matches redirect URIs
 * exactly, and may require https):
 * - `loopback`: http(s)://127.0.0.1 or localhost: fathom-sync's one-shot server receives the
 *   browser itself (over TLS with a certificate made for the login when https);
 * - `external`: any other https URL: the browser ends on a page the user controls (the
 *   forwarder page hands the code on to a loopback listener) or on one that fails to load
 *   (the user pastes the address).
 */
export type RedirectTarget =
  | {
      kind: 'loopback';
      /** Exactly as the user gave it: sent as is in the authorize URL and the code exchange. */
      uri: string;
      tls: boolean;
      port: number;
      /** The path the browser comes back to; anything else gets 404. */
      path: string;
    }
  | {
      kind: 'external';
      uri: string;
      /** Where the forwarder page hands the code on to: http://127.0.0.1:<port>/callback. */
      forwardPort: number;
    };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

/**
 * Reads a redirect URI (the --redirect-uri flag, or the one config.json remembers). Every
 * problem is a UsageError: one line, exit 2, before anything happens. The value itself is
 * never echoed: a mistaken paste could carry a code.
 */
export function parseRedirectUri(value: string, name: string, forwardPort = DEFAULT_CALLBACK_PORT): RedirectTarget {
  const uri = value.trim();
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UsageError(`${name} is not a URL: give the redirect URI registered in your Fathom app, e.g. https://you.github.io/fathom-sync/oauth-forwarder.html`);
  }
  // RFC 6749 §3.1.2: a redirection endpoint URI MUST NOT include a fragment.
  if (uri.includes('#')) throw new UsageError(`${name} must not contain a #fragment (OAuth redirect URIs cannot have one)`);
  if (url.username || url.password) throw new UsageError(`${name} must not contain a user name or password`);
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol === 'https:' && !loopback) return { kind: 'external', uri, forwardPort };
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !loopback) {
    throw new UsageError(`${name} must be http://127.0.0.1:PORT/PATH, http://localhost:PORT/PATH, or an https:// URL (got ${url.protocol}//${url.host})`);
  }
  // An empty port means the scheme's default (80/443): URL leaves it out.
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (port === 0) throw new UsageError(`${name} needs a fixed port: Fathom redirects only to the exact URI registered with the app`);
  return { kind: 'loopback', uri, tls: url.protocol === 'https:', port, path: url.pathname || '/' };
}

/**
 * The redirect URI of this connect, from the flags and what an earlier connect remembered:
 * --redirect-uri wins; --port N alone is short for http://127.0.0.1:N/callback; else the saved
 * redirect URI (or the saved port, from before redirect URIs were remembered); else the default.
 * With an external https URI, --port is the port the forwarder page hands the code to.
 */
export function chooseRedirect(args: { redirectUri?: string; port?: number; savedRedirectUri?: string; savedPort?: number }): RedirectTarget {
  const { redirectUri, port } = args;
  if (redirectUri !== undefined) {
    const target = parseRedirectUri(redirectUri, '--redirect-uri', port ?? DEFAULT_CALLBACK_PORT);
    if (target.kind === 'loopback' && port !== undefined && port !== target.port) {
      throw new UsageError(`--port ${port} does not match the port of --redirect-uri (${target.port}); leave --port out`);
    }
    return target;
  }
  if (port !== undefined) return loopbackDefault(port);
  if (args.savedRedirectUri) return parseRedirectUri(args.savedRedirectUri, 'the redirect URI saved in config.json', args.savedPort ?? DEFAULT_CALLBACK_PORT);
  return loopbackDefault(args.savedPort ?? DEFAULT_CALLBACK_PORT);
}

function loopbackDefault(port: number): RedirectTarget {
  return { kind: 'loopback', uri: redirectUriFor(port), tls: false, port, path: CALLBACK_PATH };
}

/** The port config.json keeps beside the redirect URI: the listener's, whichever kind. */
export function listenPort(target: RedirectTarget): number {
  return target.kind === 'loopback' ? target.port : target.forwardPort;
}
