import { expect } from 'vitest';
import type { FakeFathom } from '../../src/fake-server/server.js';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import { AUTHORIZE_URL_PATTERN, freePort, oauthEnv, playBrowser, startLiveCli } from './connect.js';

/**
 * An OAuth credential for runs against another API server (Prism): `connect` runs against the
 * fake's authorize and token endpoints, with FATHOM_API_URL already pointing at `apiUrl` (its
 * check call goes there too). Returns the environment later runs use (token in the file store).
 */
export async function connectOAuth(fake: FakeFathom, oauth: FakeOAuth, apiUrl: string, baseEnv: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const port = await freePort();
  oauth.setRedirectUris([`http://127.0.0.1:${port}/callback`]);
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...oauthEnv(fake, oauth), FATHOM_API_URL: apiUrl, FATHOM_CLIENT_SECRET: oauth.clientSecret, FATHOM_SYNC_TOKEN_STORE: 'file' };
  const cli = startLiveCli(['connect', '--no-browser', '--port', String(port)], env);
  const [, url] = await cli.stderrMatch(AUTHORIZE_URL_PATTERN);
  await playBrowser(url!);
  const done = await cli.done;
  expect(done.code, done.stderr).toBe(0);
  delete env.FATHOM_CLIENT_SECRET;
  return env;
}
