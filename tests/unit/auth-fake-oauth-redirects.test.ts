import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../src/fake-server/cli-args.js';
import { startOAuthFake } from '../helpers/connect.js';
import type { FakeFathom } from '../../src/fake-server/server.js';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';

/** The fake's authorize endpoint accepts exactly its registered redirect URIs, of every form connect supports. */

const REGISTERED = ['http://127.0.0.1:38421/callback', 'https://localhost:4443/oauth/back', 'https://me.example.test/oauth-forwarder.html'];

let fake: FakeFathom;
let oauth: FakeOAuth;
beforeAll(async () => {
  ({ fake, oauth } = await startOAuthFake({ oauth: { redirectUris: REGISTERED } }));
});
afterAll(() => fake.close());

const authorize = (redirectUri: string) =>
  fetch(`${oauth.authorizeUrl}?${new URLSearchParams({ response_type: 'code', client_id: oauth.clientId, redirect_uri: redirectUri, state: 's1' })}`, { redirect: 'manual' });

describe('fake OAuth redirect URIs', () => {
  it('redirects to each registered URI, http or https, loopback or not, with code and state', async () => {
    for (const uri of REGISTERED) {
      const res = await authorize(uri);
      expect(res.status, uri).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(uri);
      expect(location.searchParams.get('state')).toBe('s1');
      expect(location.searchParams.get('code')).toMatch(/^fake-code-/);
    }
  });

  it('refuses anything else with an error page, never a redirect (a trailing slash, another port, http for https)', async () => {
    for (const uri of ['http://127.0.0.1:38421/callback/', 'https://localhost:4444/oauth/back', 'http://me.example.test/oauth-forwarder.html']) {
      const res = await authorize(uri);
      expect(res.status, uri).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('--redirect-uri on its command line is repeatable and takes https URIs', () => {
    const cli = parseCli(['--oauth', ...REGISTERED.flatMap((u) => ['--redirect-uri', u])]);
    expect(cli.oauth).toEqual({ redirectUris: REGISTERED });
  });
});
