import { UsageError } from './errors.js';

/**
 * Profiles: one Fathom account each (its own credential, API URL, sync state and run lock). The
 * profile `default` is what every command used before profiles existed, so one-account users
 * never name one.
 */
export const DEFAULT_PROFILE = 'default';

/** Lower-case letters, digits, `-` and `_`, starting with a letter or digit: safe in a file name, a keychain entry and SQL. */
const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export function isProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}

/** The profile a command runs for: --profile, else FATHOM_SYNC_PROFILE, else `default`. */
export function chooseProfile(flag: string | undefined, env: NodeJS.ProcessEnv): { profile: string; chosen: boolean } {
  const given = flag ?? (env.FATHOM_SYNC_PROFILE?.trim() || undefined);
  if (given === undefined) return { profile: DEFAULT_PROFILE, chosen: false };
  const name = given.trim();
  if (!isProfileName(name)) {
    const where = flag !== undefined ? '--profile' : 'FATHOM_SYNC_PROFILE';
    throw new UsageError(`${where} "${name.slice(0, 60)}" is not a profile name: use 1-40 lower-case letters, digits, "-" or "_"`);
  }
  return { profile: name, chosen: true };
}

/** The run lock of a profile: syncs of one account exclude each other, different accounts do not. */
export function lockFileName(profile: string): string {
  return profile === DEFAULT_PROFILE ? 'sync.lock' : `sync.${profile}.lock`;
}
