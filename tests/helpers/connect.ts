import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type tls from 'node:tls';
import type { ChildProcess } from 'node:child_process';
import { startFakeFathom, type FakeFathom, type FakeFathomOptions } from '../../src/fake-server/server.js';
import { installFakeOAuth, type FakeOAuth, type FakeOAuthOptions } from '../../src/fake-server/oauth.js';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { collect, startCli, tempHome, type CliResult } from './cli.js';

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

/** What a connect test file works with; the per-test parts are new for each test. */
export interface ConnectFixture {
  fake: FakeFathom;
  oauth: FakeOAuth;
  home: ReturnType<typeof tempHome>;
  env: NodeJS.ProcessEnv;
  port: number;
}

/**
 * Registers the hooks of a connect test file (or describe block): one fake Fathom with OAuth for
 * all its tests; for each test a throwaway home, a free port for the redirect URI, the CLI's
 * environment, and an app that approves.
 */
export function connectFixture(options: { oauth?: FakeOAuthOptions } = {}): ConnectFixture {
  const t = {} as ConnectFixture;
  beforeAll(async () => {
    Object.assign(t, await startOAuthFake(options.oauth ? { oauth: options.oauth } : {}));
  });
  afterAll(() => t.fake?.close());
  beforeEach(async () => {
    t.home = tempHome();
    t.port = await freePort();
    t.oauth.setDeny(false);
    t.env = connectEnv(t.home.baseEnv, t.fake, t.oauth);
  });
  afterEach(() => t.home.cleanup());
  return t;
}

/** The CLI's environment for a connect test: the fake's endpoints and app, the plain-file store. */
export function connectEnv(baseEnv: NodeJS.ProcessEnv, fake: FakeFathom, oauth: FakeOAuth): NodeJS.ProcessEnv {
  return { ...baseEnv, ...oauthEnv(fake, oauth), FATHOM_CLIENT_SECRET: oauth.clientSecret, FATHOM_SYNC_TOKEN_STORE: 'file' };
}

/** The files connect writes under FATHOM_SYNC_HOME (of the current test's env), and the check that it wrote none. */
export function connectFiles(env: () => NodeJS.ProcessEnv) {
  const configFile = () => path.join(env().FATHOM_SYNC_HOME!, 'config', 'config.json');
  const credentialsFile = () => path.join(env().FATHOM_SYNC_HOME!, 'config', 'credentials.json');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const readConfig = () => JSON.parse(fs.readFileSync(configFile(), 'utf8')) as Record<string, any>;
  const nothingStored = () => {
    expect(fs.existsSync(credentialsFile())).toBe(false);
    expect(fs.existsSync(configFile()) ? (readConfig().credentials ?? {}) : {}).toEqual({});
  };
  return { configFile, credentialsFile, readConfig, nothingStored };
}

/** The address with one parameter changed (null: removed), for pasting wrong answers. */
export function withParam(url: URL, name: string, value: string | null): URL {
  const copy = new URL(url);
  if (value === null) copy.searchParams.delete(name);
  else copy.searchParams.set(name, value);
  return copy;
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

/**
 * Loads an https://127.0.0.1 or https://localhost callback like a browser whose user clicked
 * through the certificate warning: verification is off for this one request only, and the
 * certificate the listener showed is returned for the test to check.
 */
export async function loadInsecureHttps(url: string): Promise<{ status: number; html: string; certificate: tls.PeerCertificate }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port: Number(target.port || 443),
        path: `${target.pathname}${target.search}`,
        headers: { host: target.host },
        servername: target.hostname === 'localhost' ? 'localhost' : undefined,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const certificate = (res.socket as tls.TLSSocket).getPeerCertificate();
        let html = '';
        res.setEncoding('utf8').on('data', (d: string) => (html += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, html, certificate }));
      },
    );
    req.on('error', reject);
  });
}

/** The whole browser part for an https loopback redirect URI. */
export async function playBrowserInsecureHttps(authorizeUrl: string): Promise<{ status: number; html: string; certificate: tls.PeerCertificate; location: string }> {
  const location = await authorizeRedirect(authorizeUrl);
  return { ...(await loadInsecureHttps(location)), location };
}
