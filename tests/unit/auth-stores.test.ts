import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/auth/file-store.js';
import { chooseStoreForSaving, storePreference } from '../../src/auth/store-selection.js';
import { StoreUnavailableError } from '../../src/auth/secret-store.js';
import { explainKeyringError } from '../../src/auth/keychain-store.js';
import { resolvePaths } from '../../src/core/paths.js';
import { FathomSyncError, UsageError } from '../../src/core/errors.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-stores-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('FileStore', () => {
  it('stores, replaces and deletes; 0600 on every write in a 0700 directory; gone when empty', async () => {
    const store = FileStore.inConfigDir(path.join(dir, 'config'));
    await store.probe();
    expect(await store.get('a')).toBeNull();
    await store.set('a', 'one');
    fs.chmodSync(store.file, 0o644);
    await store.set('a', 'two');
    await store.set('b', 'three');
    expect(await store.get('a')).toBe('two');
    expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(store.file)).mode & 0o777).toBe(0o700);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.delete('b')).toBe(true);
    expect(fs.existsSync(store.file)).toBe(false);
    expect(store.describe()).toBe(`the file ${store.file} (plain text, mode 0600)`);
  });

  it('a damaged file is an error that does not quote it', async () => {
    const store = new FileStore(path.join(dir, 'credentials.json'));
    fs.writeFileSync(store.file, 'secret-abc not json');
    const err = await store.get('a').catch((e: Error) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).not.toContain('secret-abc');
  });
});

describe('choosing the store for connect', () => {
  const paths = () => resolvePaths({}, { env: { FATHOM_SYNC_HOME: dir }, platform: 'linux', homedir: dir });
  // No D-Bus in this environment: the keychain is unreachable.
  const env = { PATH: process.env.PATH };
  const base = (extra: object = {}) => ({ paths: paths(), env, insecureStorage: false, askConsent: null, warn: (m: string) => warnings.push(m), ...extra });
  let warnings: string[] = [];
  beforeEach(() => {
    warnings = [];
  });

  it('FATHOM_SYNC_TOKEN_STORE: keychain | file | auto, anything else is a usage error', () => {
    expect(storePreference({})).toBe('auto');
    expect(storePreference({ FATHOM_SYNC_TOKEN_STORE: 'FILE' })).toBe('file');
    expect(() => storePreference({ FATHOM_SYNC_TOKEN_STORE: 'disk' })).toThrow(UsageError);
  });

  it('an unreachable keychain without consent: an error, no file', async () => {
    await expect(chooseStoreForSaving(base())).rejects.toThrow(FathomSyncError);
    expect(fs.existsSync(path.join(dir, 'config', 'credentials.json'))).toBe(false);
  });

  it('asks when someone can answer; "no" saves nothing, "yes" gives the file with a warning', async () => {
    const asked: string[] = [];
    await expect(chooseStoreForSaving(base({ askConsent: async (reason: string) => (asked.push(reason), false) }))).rejects.toThrow(/nothing was saved/);
    expect(asked).toHaveLength(1);
    const store = await chooseStoreForSaving(base({ askConsent: async () => true }));
    expect(store.backend).toBe('file');
    expect(warnings.join('\n')).toMatch(/PLAIN TEXT .* because of your answer/);
  });

  it('--insecure-storage and FATHOM_SYNC_TOKEN_STORE=file are consent; =keychain never falls back', async () => {
    expect((await chooseStoreForSaving(base({ insecureStorage: true, askConsent: async () => expect.unreachable() }))).backend).toBe('file');
    expect((await chooseStoreForSaving(base({ env: { ...env, FATHOM_SYNC_TOKEN_STORE: 'file' } }))).backend).toBe('file');
    await expect(chooseStoreForSaving(base({ insecureStorage: true, env: { ...env, FATHOM_SYNC_TOKEN_STORE: 'keychain' } }))).rejects.toThrow(/forbids a file/);
  });
});

describe('keyring messages', () => {
  it('become actionable reasons', () => {
    expect(explainKeyringError('Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead', {})).toMatch(/no D-Bus session bus/);
    expect(explainKeyringError('... The name org.freedesktop.secrets was not provided by any .service files', { DBUS_SESSION_BUS_ADDRESS: 'x' })).toMatch(/no Secret Service/);
    expect(explainKeyringError("Couldn't access platform storage: Secret Service: unlock prompt was dismissed", { DBUS_SESSION_BUS_ADDRESS: 'x' })).toMatch(/locked/);
  });
});
