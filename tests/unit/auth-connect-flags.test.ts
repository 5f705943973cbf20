import { describe, expect, it } from 'vitest';
import { parseConnectFlags, parsePort, parseTimeout } from '../../src/commands/connect.js';
import { UsageError } from '../../src/core/errors.js';

const loopback = (port: number) => ({ kind: 'loopback', uri: `http://127.0.0.1:${port}/callback`, tls: false, port, path: '/callback' });

describe('connect flags', () => {
  const env = { FATHOM_CLIENT_ID: 'env-id' };
  it('OAuth by default: client id from the flag, then the environment, then the saved config', () => {
    expect(parseConnectFlags({ clientId: 'flag-id' }, [], env)).toMatchObject({ mode: 'oauth', clientId: 'flag-id', redirect: loopback(38421), timeoutMs: 300_000, browser: true });
    expect(parseConnectFlags({}, [], env).clientId).toBe('env-id');
    expect(parseConnectFlags({}, [], {}, { clientId: 'saved-id', port: 5000 })).toMatchObject({ clientId: 'saved-id', redirect: loopback(5000) });
    expect(parseConnectFlags({ port: '6000', timeout: '2.5', browser: false, manual: true }, [], env)).toMatchObject({ redirect: loopback(6000), timeoutMs: 2500, browser: false, manual: true });
  });
  it('--api-key needs no client id, and takes no value', () => {
    expect(parseConnectFlags({ apiKey: true }, [], {})).toMatchObject({ mode: 'api_key', clientId: null });
    expect(() => parseConnectFlags({ apiKey: 'k-123' }, [], {})).toThrow(/never taken from the command line/);
    expect(() => parseConnectFlags({ apiKey: true, clientId: 'x' }, [], {})).toThrow(/cannot be combined/);
    expect(() => parseConnectFlags({ apiKey: true, redirectUri: 'https://example.test/cb' }, [], {})).toThrow(/cannot be combined/);
  });
  it('refuses secrets as flags or arguments without repeating them', () => {
    for (const flag of ['clientSecret', 'secret', 'token', 'accessToken', 'refreshToken'] as const) {
      try {
        parseConnectFlags({ [flag]: 'shh-123' }, [], env);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        expect((err as Error).message).not.toContain('shh-123');
      }
    }
    expect(() => parseConnectFlags({}, ['shh-123'], env)).toThrow(/takes no arguments/);
  });
  it('needs a client id for OAuth', () => {
    expect(() => parseConnectFlags({}, [], {})).toThrow(/no OAuth client id/);
    expect(() => parseConnectFlags({ clientId: ' ' }, [], env)).toThrow(/--client-id is empty/);
  });
  it('ports: 1..65535, never 0', () => {
    expect(parsePort('1')).toBe(1);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['0', '65536', '99999', 'abc', '-1', '1.5', '']) expect(() => parsePort(bad)).toThrow(UsageError);
    expect(() => parsePort('0')).toThrow(/must be fixed/);
  });
  it('timeouts: positive seconds', () => {
    expect(parseTimeout('300')).toBe(300_000);
    for (const bad of ['0', '-5', 'x', '1e9', '']) expect(() => parseTimeout(bad)).toThrow(UsageError);
  });

  it('--redirect-uri: loopback http or https on any port and path, or any https URL', () => {
    const redirect = (flags: { redirectUri?: string; port?: string }, saved = {}) => parseConnectFlags(flags, [], env, saved).redirect;
    expect(redirect({ redirectUri: 'http://localhost:4000/oauth/done' })).toEqual({ kind: 'loopback', uri: 'http://localhost:4000/oauth/done', tls: false, port: 4000, path: '/oauth/done' });
    expect(redirect({ redirectUri: 'https://127.0.0.1:4443/cb' })).toEqual({ kind: 'loopback', uri: 'https://127.0.0.1:4443/cb', tls: true, port: 4443, path: '/cb' });
    expect(redirect({ redirectUri: 'https://localhost/cb' })).toMatchObject({ tls: true, port: 443 });
    // Sent exactly as given (Fathom compares strings), only trimmed.
    expect(redirect({ redirectUri: ' https://me.github.io/fwd.html ' })).toEqual({ kind: 'external', uri: 'https://me.github.io/fwd.html', forwardPort: 38421 });
    // With an external URI, --port is where the forwarder page hands the code to.
    expect(redirect({ redirectUri: 'https://me.github.io/fwd.html', port: '40000' })).toMatchObject({ kind: 'external', forwardPort: 40000 });
    // --port with a loopback URI only when they agree.
    expect(redirect({ redirectUri: 'http://127.0.0.1:4000/cb', port: '4000' })).toMatchObject({ port: 4000 });
    expect(() => redirect({ redirectUri: 'http://127.0.0.1:4000/cb', port: '4001' })).toThrow(/--port 4001 does not match the port of --redirect-uri \(4000\); leave --port out/);
  });
  it('remembers: the saved redirect URI unless a flag says otherwise; --port alone is the loopback shorthand', () => {
    const saved = { redirectUri: 'https://me.github.io/fwd.html', port: 40000 };
    expect(parseConnectFlags({}, [], env, saved).redirect).toEqual({ kind: 'external', uri: 'https://me.github.io/fwd.html', forwardPort: 40000 });
    expect(parseConnectFlags({ port: '5000' }, [], env, saved).redirect).toEqual(loopback(5000));
    expect(parseConnectFlags({ redirectUri: 'https://localhost:4443/x' }, [], env, saved).redirect).toMatchObject({ kind: 'loopback', tls: true, port: 4443 });
  });
  it('refuses a redirect URI that is neither loopback nor https, not a URL, or has a fragment: one line, exit 2, the value not echoed', () => {
    const bad: [string, RegExp][] = [
      ['http://example.com/cb?code=secret-looking', /--redirect-uri must be http:\/\/127\.0\.0\.1:PORT\/PATH, http:\/\/localhost:PORT\/PATH, or an https:\/\/ URL \(got http:\/\/example\.com\)/],
      ['ftp://127.0.0.1/cb', /must be http:\/\/127\.0\.0\.1:PORT\/PATH.*\(got ftp:\/\/127\.0\.0\.1\)/],
      ['http://[::1]:4000/cb', /\(got http:\/\/\[::1\]:4000\)/],
      ['127.0.0.1:4000/cb', /--redirect-uri is not a URL/],
      ['not a url', /--redirect-uri is not a URL/],
      ['https://me.github.io/fwd.html#top', /--redirect-uri must not contain a #fragment/],
      ['https://user:pw@me.github.io/fwd.html', /must not contain a user name or password/],
      ['http://127.0.0.1:0/cb', /needs a fixed port/],
    ];
    for (const [value, message] of bad) {
      const err = (() => {
        try {
          parseConnectFlags({ redirectUri: value }, [], env);
        } catch (e) {
          return e as Error;
        }
        return null;
      })();
      expect(err, value).toBeInstanceOf(UsageError);
      expect(err!.message, value).toMatch(message);
      expect(err!.message).not.toMatch(/secret-looking|\n/);
    }
  });
});
