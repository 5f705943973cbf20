import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { startFakeFathom, type FakeFathom, type FakeFathomOptions } from '../../src/fake-server/server.js';
import { installFakeOAuth, type FakeOAuth, type FakeOAuthOptions } from '../../src/fake-server/oauth.js';
import { collect, startCli, type CliResult } from './cli.js';

/** Helpers for `connect` tests: a fake Fathom with OAuth, a free callback port, and a scripted browser. */

export async function startOAuthFake(options: { fake?: FakeFathomOptions; oauth?: FakeOAuthOptions } = {}): Promise<{ fake: FakeFathom; oauth: FakeOAuth }> {
  const fake = await startFakeFathom({ meetingCount: 25, ...options.fake });
  const oauth = installFakeOAuth(fake, options.oauth);
  return { fake, oauth };
}

/** Environment pointing the CLI at the fake's API and OAuth endpoints. */
export function oauthEnv(fake: FakeFathom, oauth: FakeOAuth): NodeJS.ProcessEnv {
  return {
    FATHOM_API_URL: fake.url,
    FATHOM_OAUTH_AUTHORIZE_URL: oauth.authorizeUrl,
    FATHOM_OAUTH_TOKEN_URL: oauth.tokenUrl,
    FATHOM_CLIENT_ID: oauth.clientId,
  };
}

/** A port nothing listens on right now (the OS picks it), for the redirect URI. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A running CLI whose output can be awaited line by line. */
export interface LiveCli {
  child: ChildProcess;
  /** Resolves with the first match of `pattern` in stderr (now or later). */
  stderrMatch(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<CliResult>;
}

export function startLiveCli(args: string[], env: NodeJS.ProcessEnv): LiveCli {
  const child = startCli(args, env);
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = stderr.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    check();
  });
  const done = collect(child);
  return {
    child,
    done,
    stderrMatch: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        // If the CLI ends without printing it, fail with what it did print.
        void done.then((r) => {
          if (waiters.some((w) => w.pattern === pattern)) reject(new Error(`CLI exited ${r.code} without printing ${pattern}:\n${r.stderr}`));
        });
      }),
  };
}

export const AUTHORIZE_URL_PATTERN = /(http:\/\/127\.0\.0\.1:\d+\/external\/v1\/oauth2\/authorize\?\S+)/;

/** What the browser does: follow the authorize URL to its redirect, without loading it. */
export async function authorizeRedirect(authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  return location;
}

/** Loads a URL like the browser (the callback page), returning status and HTML. */
export async function load(url: string): Promise<{ status: number; html: string }> {
  const res = await fetch(url);
  return { status: res.status, html: await res.text() };
}

/** The whole browser part: authorize, then load the callback. */
export async function playBrowser(authorizeUrl: string): Promise<{ status: number; html: string; location: string }> {
  const location = await authorizeRedirect(authorizeUrl);
  return { ...(await load(location)), location };
}
