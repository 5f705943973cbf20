import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO } from '../helpers/cli.js';
import { AUTHORIZE_URL_PATTERN, authorizeRedirect, connectFixture, startLiveCli } from '../helpers/connect.js';
import { need } from '../helpers/capabilities.js';

/**
 * The forwarder page (src/auth/oauth-forwarder.html) in a real headless browser: Debian's
 * chromium driven by playwright-core. The page is served from a local test server as a user
 * would host it, loaded with the address Fathom redirects to, and must hand the login over to
 * the running `connect`, and nowhere else. Without /usr/bin/chromium these tests are skipped
 * and say so in their title (apt-get install chromium).
 */

const CHROMIUM = '/usr/bin/chromium';
const browserNeed = need('chromium');
const PAGE = path.join(REPO, 'src', 'auth', 'oauth-forwarder.html');
const EXTERNAL = 'https://forwarder.example.test/fathom-sync/oauth-forwarder.html';

let browser: BrowserContext;
let userDataDir: string;
let site: http.Server;
let siteOrigin: string;
/** What the test site serves at /edited.html: the page with its port constant edited. */
let editedPage = '';

describe.skipIf(browserNeed.skip)(
  browserNeed.title('the forwarder page in headless chromium'),
  () => {
    const t = connectFixture();
    beforeAll(async () => {
      t.oauth.setRedirectUris([EXTERNAL]);
      site = http.createServer((req, res) => {
        const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
        const body = pathname === '/fathom-sync/oauth-forwarder.html' ? fs.readFileSync(PAGE) : pathname === '/edited.html' ? Buffer.from(editedPage) : null;
        if (!body) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length }).end(body);
      });
      await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
      siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      const { chromium } = await import('playwright-core');
      userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fathom-sync-chromium-'));
      browser = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
    });
    afterAll(async () => {
      await browser?.close();
      if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
      site?.close();
    });

    /** connect with the external redirect URI, and the address Fathom sends the browser to. */
    async function connectUntilRedirect() {
      const cli = startLiveCli(['connect', '--no-browser', '--timeout', '60', '--redirect-uri', EXTERNAL, '--port', String(t.port)], t.env);
      const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
      const location = new URL(await authorizeRedirect(url!));
      expect(`${location.origin}${location.pathname}`).toBe(EXTERNAL);
      return { cli, location };
    }

    /** A fresh tab that records every request it makes. */
    async function openTab(): Promise<{ page: Page; requests: string[] }> {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      return { page, requests };
    }

    it('hands code and state to 127.0.0.1:<port>/callback (port from ?port=), connect completes, the code goes nowhere else', async () => {
      const { cli, location } = await connectUntilRedirect();
      const code = location.searchParams.get('code')!;
      const { page, requests } = await openTab();
      try {
        await page.goto(`${siteOrigin}/fathom-sync/oauth-forwarder.html${location.search}&port=${t.port}`);
        await page.waitForURL(`http://127.0.0.1:${t.port}/callback?**`);
        await expect.poll(() => page.textContent('h1')).toBe('fathom-sync is connected');
        const r = await cli.done;
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^Connected to Fathom with OAuth/);
        // Every request that carried the code: the page itself, then the hand-over. Nothing else.
        const withCode = requests.filter((u) => u.includes(code));
        expect(withCode.map((u) => new URL(u).origin)).toEqual([siteOrigin, `http://127.0.0.1:${t.port}`]);
        expect(new URL(withCode[1]!).searchParams.get('state')).toBe(location.searchParams.get('state'));
        expect(requests.every((u) => u.startsWith(`${siteOrigin}/`) || u.startsWith(`http://127.0.0.1:${t.port}/`))).toBe(true);
      } finally {
        await page.close();
      }
    });

    it('the port constant a user edits in the page (meta fathom-sync-port) is where it hands over', async () => {
      editedPage = fs.readFileSync(PAGE, 'utf8').replace('<meta name="fathom-sync-port" content="38421">', `<meta name="fathom-sync-port" content="${t.port}">`);
      expect(editedPage).toContain(`content="${t.port}"`);
      const { cli, location } = await connectUntilRedirect();
      const { page } = await openTab();
      try {
        await page.goto(`${siteOrigin}/edited.html${location.search}`);
        await page.waitForURL(`http://127.0.0.1:${t.port}/callback?**`);
        expect((await cli.done).code).toBe(0);
      } finally {
        await page.close();
      }
    });

    it("hands Fathom's error on too: connect ends with exit 4 and the reason, nothing saved", async () => {
      t.oauth.setDeny(true);
      const { cli, location } = await connectUntilRedirect();
      expect(location.searchParams.get('error')).toBe('access_denied');
      const { page } = await openTab();
      try {
        await page.goto(`${siteOrigin}/fathom-sync/oauth-forwarder.html${location.search}&port=${t.port}`);
        await page.waitForURL(`http://127.0.0.1:${t.port}/callback?**`);
        const r = await cli.done;
        expect(r.code).toBe(4);
        expect(r.stderr).toMatch(/^fathom-sync: access was denied in the browser \(access_denied: The user denied the request\); nothing was saved$/m);
        expect(fs.existsSync(path.join(t.env.FATHOM_SYNC_HOME!, 'config', 'credentials.json'))).toBe(false);
      } finally {
        await page.close();
      }
    });

    it('shows what the address carries as text, never as HTML, and goes nowhere without a state', async () => {
      const { page, requests } = await openTab();
      try {
        const evil = '<img src=x onerror="window.__xss=1">';
        const url = `${siteOrigin}/fathom-sync/oauth-forwarder.html?error=${encodeURIComponent(evil)}&error_description=${encodeURIComponent('<b>bold</b>')}&port=${t.port}`;
        await page.goto(url);
        await expect.poll(() => page.textContent('#detail')).toBe(`Fathom said: ${evil}: <b>bold</b>`);
        expect(await page.$('img')).toBeNull();
        expect(await page.$('#detail b')).toBeNull();
        expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
        expect(page.url()).toBe(url);
        expect(requests.filter((u) => !u.startsWith(`${siteOrigin}/`))).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it('refuses a port that is not one', async () => {
      const { page } = await openTab();
      try {
        const url = `${siteOrigin}/fathom-sync/oauth-forwarder.html?code=c&state=s&port=80@evil.example`;
        await page.goto(url);
        await expect.poll(() => page.textContent('#message')).toMatch(/not a port number/);
        expect(page.url()).toBe(url);
      } finally {
        await page.close();
      }
    });
  },
);
