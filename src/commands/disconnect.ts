import { describeTarget } from '../core/database-target.js';
import type { AppContext } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { DEFAULT_PROFILE } from '../core/profile.js';

export interface DisconnectFlags {
  forgetApp?: boolean;
  purge?: boolean;
  yes?: boolean;
  db?: string;
}

/**
 * `fathom-sync disconnect`: removes the stored credential from wherever it is, the OAuth app's
 * client secret with --forget-app, and the local database with --purge. Fathom has no revoke
 * endpoint: access is withdrawn in Fathom.
 */
export async function disconnectCommand(flags: DisconnectFlags, ctx: AppContext): Promise<number> {
  const { paths, output, stdin } = ctx;
  if (flags.yes && !flags.purge) throw new UsageError('--yes only confirms --purge');
  if (flags.purge && paths.databaseUrl) {
    throw new UsageError(
      `--purge deletes a local SQLite database; ${describeTarget(paths)} is a shared PostgreSQL database: nothing was removed`,
      'disconnect without --purge; to delete a profile\'s data there, use SQL (README "Teams: PostgreSQL and several accounts")',
    );
  }
  if (flags.purge) {
    // One database holds every profile's meetings: --purge of one must not delete the others'.
    const { readConfig } = await import('../core/config.js');
    const { connectedProfileNames } = await import('../auth/profile-names.js');
    const others = connectedProfileNames(readConfig(paths.configFile)).filter((name) => name !== ctx.profile);
    if (others.length) {
      throw new UsageError(
        `--purge would delete the database ${paths.database}, which also holds the meetings of ${others.length === 1 ? 'profile' : 'profiles'} ${others.join(', ')}; nothing was removed`,
        { text: 'Disconnect without --purge, or disconnect every profile first:', commands: others.map((name) => `fathom-sync disconnect --profile ${name}`) },
      );
    }
  }
  if (flags.purge && !flags.yes && !stdin.isTTY) {
    throw new UsageError('--purge deletes the local database and there is no terminal to confirm it: add --yes; nothing was removed');
  }
  if (flags.purge && !flags.yes) {
    const { createInteraction } = await import('../auth/interaction.js');
    const interaction = createInteraction(stdin, output.streams.stderr);
    const ok = await interaction.confirm(`Delete the database ${paths.database} and everything synced into it?`, false).finally(() => interaction.close());
    if (!ok) {
      output.info('nothing was removed');
      return ExitCode.ok;
    }
  }

  const { removeStoredCredential } = await import('../auth/disconnect.js');
  const { removed, wasOAuth, appKeptFor } = await removeStoredCredential(ctx, { forgetApp: flags.forgetApp ?? false });
  const named = ctx.profile === DEFAULT_PROFILE ? '' : ` profile ${ctx.profile}`;
  output.result(removed.length ? `Disconnected${named}: removed ${removed.join('; ')}.` : `No stored Fathom credential was found${named ? ` for${named}` : ''}; nothing to remove.`);
  if (appKeptFor.length) output.info(`The OAuth app's client id stays in config.json: ${appKeptFor.length === 1 ? 'profile' : 'profiles'} ${appKeptFor.join(', ')} still connect through it.`);
  if (wasOAuth && removed.some((r) => r.startsWith('the credential'))) {
    output.info("Fathom has no revoke call: to withdraw the app's access entirely, remove it in your Fathom settings.");
  }
  if (ctx.env.FATHOM_API_KEY?.trim()) output.warn('FATHOM_API_KEY is still set in this environment and will keep being used');

  if (flags.purge) {
    const { deleteDatabaseFiles } = await import('../db/database.js');
    output.result(deleteDatabaseFiles(paths.database) ? `Deleted the database ${paths.database}.` : `No database at ${paths.database}.`);
  }
  return ExitCode.ok;
}
