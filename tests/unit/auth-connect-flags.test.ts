import { describe, expect, it } from 'vitest';
import { parseConnectFlags, parsePort, parseTimeout } from '../../src/commands/connect.js';
import { UsageError } from '../../src/core/errors.js';

describe('connect flags', () => {
  const env = { FATHOM_CLIENT_ID: 'env-id' };
  it('OAuth by default: client id from the flag, then the environment, then the saved config', () => {
    expect(parseConnectFlags({ clientId: 'flag-id' }, [], env)).toMatchObject({ mode: 'oauth', clientId: 'flag-id', port: 38421, timeoutMs: 300_000, browser: true });
    expect(parseConnectFlags({}, [], env).clientId).toBe('env-id');
    expect(parseConnectFlags({}, [], {}, 'saved-id', 5000)).toMatchObject({ clientId: 'saved-id', port: 5000 });
    expect(parseConnectFlags({ port: '6000', timeout: '2.5', browser: false, manual: true }, [], env)).toMatchObject({ port: 6000, timeoutMs: 2500, browser: false, manual: true });
  });
  it('--api-key needs no client id, and takes no value', () => {
    expect(parseConnectFlags({ apiKey: true }, [], {})).toMatchObject({ mode: 'api_key', clientId: null });
    expect(() => parseConnectFlags({ apiKey: 'k-123' }, [], {})).toThrow(/never taken from the command line/);
    expect(() => parseConnectFlags({ apiKey: true, clientId: 'x' }, [], {})).toThrow(/cannot be combined/);
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
});
