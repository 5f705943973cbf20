import type { AppPaths } from '../core/paths.js';
import { CredentialStoreError, UsageError } from '../core/errors.js';
import { readConfig } from '../core/config.js';
import { FileStore } from './file-store.js';
import { KeychainStore } from './keychain-store.js';
import { StoreUnavailableError, type SecretStore, type StoreBackend } from './secret-store.js';

/**
 * Which credential store to use. Saving (`connect`) prefers the OS keychain and falls back to a
 * plain file only with consent; reading uses the backend recorded in config.json, so a
 * scheduled run never guesses.
 */

export type StorePreference = 'auto' | 'keychain' | 'file';

export interface StoreContext {
  paths: AppPaths;
  env: NodeJS.ProcessEnv;
}

/** FATHOM_SYNC_TOKEN_STORE: keychain | file | auto (default). */
export function storePreference(env: NodeJS.ProcessEnv): StorePreference {
  const value = env.FATHOM_SYNC_TOKEN_STORE?.trim().toLowerCase();
  if (!value || value === 'auto') return 'auto';
  if (value === 'keychain' || value === 'file') return value;
  throw new UsageError(`FATHOM_SYNC_TOKEN_STORE must be keychain, file or auto (got "${env.FATHOM_SYNC_TOKEN_STORE}")`);
}

export function storeForBackend(backend: StoreBackend, ctx: StoreContext): SecretStore {
  return backend === 'file' ? FileStore.inConfigDir(ctx.paths.configDir) : new KeychainStore({ env: ctx.env });
}

export function isStoreBackend(value: unknown): value is StoreBackend {
  return value === 'keychain' || value === 'file';
}

/** The store config.json says holds the profile's credential, or null when none is recorded. */
export function recordedStore(ctx: StoreContext, profile: string): { store: SecretStore; kind: 'api_key' | 'oauth'; savedAt: string } | null {
  const record = readConfig(ctx.paths.configFile).credentials?.[profile];
  if (!record || !isStoreBackend(record.backend)) return null;
  return { store: storeForBackend(record.backend, ctx), kind: record.kind, savedAt: record.savedAt };
}

export interface ChooseStoreOptions extends StoreContext {
  /** --insecure-storage: the user agreed to a plain file if the keychain is unreachable. */
  insecureStorage: boolean;
  /** Asks the user (only when a person is at a terminal); null when nobody can be asked. */
  askConsent: ((reason: string, file: string) => Promise<boolean>) | null;
  warn: (message: string) => void;
}

/**
 * Picks and probes the store `connect` will save to. Called before the browser opens, so a
 * token the user just approved is never lost to an unusable store.
 */
export async function chooseStoreForSaving(options: ChooseStoreOptions): Promise<SecretStore> {
  const preference = storePreference(options.env);
  const file = FileStore.inConfigDir(options.paths.configDir);
  if (preference === 'file') {
    await probeOrFail(file);
    warnPlainText(options.warn, file, 'FATHOM_SYNC_TOKEN_STORE=file');
    return file;
  }
  const keychain = storeForBackend('keychain', options);
  try {
    await keychain.probe();
    return keychain;
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    const fix = 'make the keychain reachable, or allow a plain-text file with --insecure-storage or FATHOM_SYNC_TOKEN_STORE=file';
    if (preference === 'keychain') {
      throw new CredentialStoreError(`${err.message}; FATHOM_SYNC_TOKEN_STORE=keychain forbids a file; nothing was saved`, fix);
    }
    let consent = options.insecureStorage;
    if (!consent && options.askConsent) consent = await options.askConsent(err.reason, file.file);
    if (!consent) throw new CredentialStoreError(`${err.message}; nothing was saved`, fix);
    await probeOrFail(file);
    warnPlainText(options.warn, file, options.insecureStorage ? '--insecure-storage' : 'your answer');
    return file;
  }
}

async function probeOrFail(store: SecretStore): Promise<void> {
  try {
    await store.probe();
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw new CredentialStoreError(`${err.message}; nothing was saved`);
    throw err;
  }
}

function warnPlainText(warn: (m: string) => void, file: FileStore, because: string): void {
  warn(`credentials will be saved in PLAIN TEXT in ${file.file} (mode 0600), because of ${because}. Anyone who can read that file can use your Fathom account.`);
}
