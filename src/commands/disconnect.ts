import os from 'node:os';
import fs from 'node:fs';
import { Output, type Streams } from '../core/output.js';
import { resolvePaths } from '../core/paths.js';
import { readConfig, updateConfig } from '../core/config.js';
import { ExitCode, FathomSyncError, UsageError } from '../core/errors.js';

export interface DisconnectFlags {
  forgetApp?: boolean;
  purge?: boolean;
  yes?: boolean;
  db?: string;
}

/**
 * `fathom-sync disconnect`: removes the stored credential from wherever it is (the recorded
 * backend, and any copy in the other one), the OAuth app's client secret with --forget-app, and
 * the local database with --purge. Fathom has no revoke endpoint: access is withdrawn in Fathom.
 */
export async function disconnectCommand(flags: DisconnectFlags, streams: Streams, stdin: NodeJS.ReadStream = process.stdin): Promise<number> {
  if (flags.yes && !flags.purge) throw new UsageError('--yes only confirms --purge');
  if (flags.purge && !flags.yes && !stdin.isTTY) {
    throw new UsageError('--purge deletes the local database and there is no terminal to confirm it: add --yes; nothing was removed');
  }
  const paths = resolvePaths(flags.db ? { dbOverride: flags.db } : {}, { env: streams.env, platform: process.platform, homedir: os.homedir() });
  const output = new Output(streams);
  const { CredentialVault } = await import('../auth/stored-credential.js');
  const { storeForBackend, isStoreBackend } = await import('../auth/store-selection.js');
  const { StoreUnavailableError, DEFAULT_PROFILE } = await import('../auth/secret-store.js');
  const { createInteraction } = await import('../auth/interaction.js');

  if (flags.purge && !flags.yes) {
    const ok = await createInteraction(stdin, streams.stderr).confirm(`Delete the database ${paths.database} and everything synced into it?`, false);
    if (!ok) {
      output.info('nothing was removed');
      return ExitCode.ok;
    }
  }

  const config = readConfig(paths.configFile);
  const recorded = config.credentials?.[DEFAULT_PROFILE]?.backend;
  const recordedBackend = isStoreBackend(recorded) ? recorded : null;
  // The recorded backend first (its failure is an error); then the other one, best effort.
  const backends = recordedBackend ? [recordedBackend, recordedBackend === 'file' ? 'keychain' : 'file'] as const : (['file', 'keychain'] as const);
  const removed: string[] = [];
  for (const backend of backends) {
    const store = storeForBackend(backend, { paths, env: streams.env });
    const vault = new CredentialVault(store, DEFAULT_PROFILE);
    try {
      const what: string[] = [];
      if (await vault.deleteCredential()) what.push('the credential');
      if (flags.forgetApp && (await vault.deleteClientSecret())) what.push("the OAuth app's client secret");
      if (what.length) removed.push(`${what.join(' and ')} from ${store.describe()}`);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      if (backend === recordedBackend) {
        throw new FathomSyncError(`cannot remove the credential: ${err.message}; nothing was changed`, ExitCode.failure, 'run disconnect where the keychain is reachable');
      }
      // The other backend is unreachable: it cannot hold anything we could use either.
    }
  }
  if (config.credentials?.[DEFAULT_PROFILE] || (flags.forgetApp && config.oauth)) {
    updateConfig(paths.configFile, (c) => {
      if (c.credentials) delete c.credentials[DEFAULT_PROFILE];
      if (flags.forgetApp) delete c.oauth;
    });
  }
  output.result(removed.length ? `Disconnected: removed ${removed.join('; ')}.` : 'No stored Fathom credential was found; nothing to remove.');
  if (removed.some((r) => r.startsWith('the credential')) && config.credentials?.[DEFAULT_PROFILE]?.kind === 'oauth') {
    output.info("Fathom has no revoke call: to withdraw the app's access entirely, remove it in your Fathom settings.");
  }
  if (streams.env.FATHOM_API_KEY?.trim()) output.warn('FATHOM_API_KEY is still set in this environment and will keep being used');

  if (flags.purge) {
    let deleted = false;
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      try {
        fs.rmSync(`${paths.database}${suffix}`);
        deleted ||= suffix === '';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new FathomSyncError(`cannot delete ${paths.database}${suffix}: ${(err as Error).message}`, ExitCode.failure);
      }
    }
    output.result(deleted ? `Deleted the database ${paths.database}.` : `No database at ${paths.database}.`);
  }
  return ExitCode.ok;
}
