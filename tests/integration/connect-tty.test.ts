import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { need } from '../helpers/capabilities.js';
import { terminalPerTest } from '../helpers/terminal.js';
import { installFakeOAuth, type FakeOAuth } from '../../src/fake-server/oauth.js';
import { authorizeRedirect, freePort, load, playBrowser } from '../helpers/connect.js';

/**
 * `connect` at a real terminal (tmux): the consent question when the keychain cannot be
 * reached, and the hidden API-key prompt, whose input never appears on the screen.
 */

const API_KEY = 'tty-api-key-DO-NOT-ECHO-5d1';

let fake: FakeFathom;
let oauth: FakeOAuth;
const t = terminalPerTest();
const tmuxNeed = need('tmux');

const tmux = (...args: string[]) => t.terminal.tmux(...args);
const waitForScreen = (pattern: RegExp) => t.terminal.waitFor(pattern);

// No D-Bus in this environment: the keychain cannot be reached.
function startInTerminal(args: string[], extraEnv: NodeJS.ProcessEnv = {}): void {
  t.terminal.start(args, { ...t.home.baseEnv, FATHOM_API_URL: fake.url, TERM: 'xterm', ...extraEnv });
}

beforeAll(async () => {
  fake = await startFakeFathom({ meetingCount: 3, apiKeys: [API_KEY] });
  oauth = installFakeOAuth(fake);
});
afterAll(() => fake.close());

describe.skipIf(tmuxNeed.skip)(tmuxNeed.title('connect at a terminal'), () => {
  it('asks before falling back to a plain file, and hides the typed API key', async () => {
    startInTerminal(['connect', '--api-key']);
    await waitForScreen(/The OS keychain cannot be used \(no D-Bus session bus.*\)\. Save the credentials in plain text in .* instead\?/s);
    tmux('send-keys', 'y', 'Enter');
    await waitForScreen(/Fathom API key \(input hidden\):/);
    tmux('send-keys', API_KEY, 'Enter');
    const text = await waitForScreen(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=0/);
    expect(text).toMatch(/because of your answer/);
    expect(text).toMatch(/Connected to Fathom with an API key/);
    expect(text).not.toContain(API_KEY);
    expect(fs.readFileSync(path.join(t.home.baseEnv.FATHOM_SYNC_HOME!, 'config', 'credentials.json'), 'utf8')).toContain(API_KEY);
  });

  it('"no" to the question saves nothing and never asks for the key', async () => {
    startInTerminal(['connect', '--api-key']);
    await waitForScreen(/Save the credentials in plain text/);
    tmux('send-keys', 'n', 'Enter');
    const text = await waitForScreen(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=1/);
    expect(text).toMatch(/nothing was saved/);
    expect(text).not.toMatch(/Fathom API key/);
    expect(fs.existsSync(path.join(t.home.baseEnv.FATHOM_SYNC_HOME!, 'config', 'credentials.json'))).toBe(false);
  });
});

describe.skipIf(tmuxNeed.skip)(tmuxNeed.title('the browser'), () => {
  const oauthEnv = (browser: string) => ({
    FATHOM_OAUTH_AUTHORIZE_URL: oauth.authorizeUrl,
    FATHOM_OAUTH_TOKEN_URL: oauth.tokenUrl,
    FATHOM_CLIENT_ID: oauth.clientId,
    FATHOM_CLIENT_SECRET: oauth.clientSecret,
    FATHOM_SYNC_TOKEN_STORE: 'file',
    // xdg-open (inside the open package) hands the URL to $BROWSER on a machine without a desktop.
    BROWSER: browser,
  });

  it('is opened with the authorize URL at a terminal', async () => {
    const port = await freePort();
    oauth.setRedirectUris([`http://127.0.0.1:${port}/callback`]);
    const opened = path.join(t.home.home, 'opened-url');
    const browser = path.join(t.home.home, 'browser.sh');
    fs.writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}.tmp' && mv '${opened}.tmp' '${opened}'\n`, { mode: 0o755 });
    startInTerminal(['connect', '--port', String(port)], oauthEnv(browser));
    await waitForScreen(/Waiting up to/);
    let url = '';
    for (let i = 0; i < 200 && !url; i++) {
      if (fs.existsSync(opened)) url = fs.readFileSync(opened, 'utf8');
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(url).toMatch(/\/oauth2\/authorize\?response_type=code/);
    await playBrowser(url);
    const text = await waitForScreen(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=0/);
    expect(text).not.toMatch(/could not open a browser/);
  });

  it('a browser that fails to open is a warning, and the printed URL still works', async () => {
    const port = await freePort();
    oauth.setRedirectUris([`http://127.0.0.1:${port}/callback`]);
    const browser = path.join(t.home.home, 'broken-browser.sh');
    fs.writeFileSync(browser, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    startInTerminal(['connect', '--port', String(port)], oauthEnv(browser));
    const shown = await waitForScreen(/Waiting up to/);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/external\/v1\/oauth2\/authorize\?\S+)/.exec(shown.replace(/\n(?=\S)/g, ''))?.[1];
    expect(url).toBeDefined();
    await waitForScreen(/warning: could not open a browser \(the opener exited with code \d+\); open the URL above yourself/);
    await playBrowser(url!);
    const text = await waitForScreen(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=0/);
  });
});

describe.skipIf(tmuxNeed.skip)(tmuxNeed.title('an external https redirect URI at a terminal'), () => {
  const EXTERNAL = 'https://forwarder.example.test/fathom-sync/oauth-forwarder.html';
  const env = () => ({
    FATHOM_OAUTH_AUTHORIZE_URL: oauth.authorizeUrl,
    FATHOM_OAUTH_TOKEN_URL: oauth.tokenUrl,
    FATHOM_CLIENT_ID: oauth.clientId,
    FATHOM_CLIENT_SECRET: oauth.clientSecret,
    FATHOM_SYNC_TOKEN_STORE: 'file',
  });
  /** Starts connect, waits for the paste prompt, and returns where Fathom sends the browser. */
  async function startAndApprove(port: number): Promise<URL> {
    oauth.setRedirectUris([EXTERNAL]);
    startInTerminal(['connect', '--no-browser', '--redirect-uri', EXTERNAL, '--port', String(port)], env());
    const shown = await waitForScreen(/Paste the address your browser ended on:/);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/external\/v1\/oauth2\/authorize\?\S+)/.exec(shown.replace(/\n(?=\S)/g, ''))?.[1];
    expect(url).toBeDefined();
    return new URL(await authorizeRedirect(url!));
  }
  const paste = (text: string) => {
    tmux('send-keys', '-l', text);
    tmux('send-keys', 'Enter');
  };

  it("asks again after another login's address, then takes the right one", async () => {
    const location = await startAndApprove(await freePort());
    const stray = new URL(location);
    stray.searchParams.set('state', 'from-another-login');
    paste(stray.href);
    await waitForScreen(/warning: that address belongs to another login \(its state does not match this one\); paste the address from this login/);
    paste(location.href);
    const text = await waitForScreen(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=0/);
    expect(text).toMatch(/Connected to Fathom with OAuth/);
  });

  it('the hand-over to the listener withdraws the prompt and connects', async () => {
    const port = await freePort();
    const location = await startAndApprove(port);
    expect((await load(`http://127.0.0.1:${port}/callback${location.search}`)).html).toContain('fathom-sync is connected');
    const text = await waitForScreen(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=0/);
  });
});
