import type { AppContext } from '../core/context.js';
import { readConfig, type AppConfig } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_PROFILE, isProfileName } from '../core/profile.js';
import { isStoreBackend } from './store-selection.js';

/**
 * The profiles (Fathom accounts) config.json knows, by name: plain reads, cheap enough for the
 * scheduler and `run --all-profiles` to import. What `fathom-sync profiles` shows of each is in
 * profiles.ts.
 */

/** `default` first, then by name; names that are not profile names (config.json edited by hand) are left out. */
function ordered(names: Iterable<string>): string[] {
  const unique = [...new Set(names)].filter(isProfileName);
  return unique.sort((a, b) => (a === DEFAULT_PROFILE ? -1 : b === DEFAULT_PROFILE ? 1 : a.localeCompare(b)));
}

/** The profiles with a stored credential recorded in config.json: what `run --all-profiles` syncs. */
export function connectedProfileNames(config: AppConfig): string[] {
  return ordered(
    Object.entries(config.credentials ?? {})
      .filter(([, record]) => isStoreBackend(record?.backend))
      .map(([name]) => name),
  );
}

/** Every profile config.json names, and the accounts the database has state for. */
export function knownProfileNames(config: AppConfig, accounts: Iterable<string> = []): string[] {
  return ordered([...Object.keys(config.credentials ?? {}), ...Object.keys(config.profiles ?? {}), ...accounts]);
}

export { savedApiUrl } from '../core/config.js';

/**
 * A command that uses a profile's credential or data (run, status, install-cron) refuses a
 * profile nobody connected: most likely a typo, and running it would only say "not connected".
 * `default` is always known, and so is any profile while FATHOM_API_KEY stands in for its
 * credential (a CI job may name a profile it never connected).
 */
export function assertKnownProfile(ctx: Pick<AppContext, 'paths' | 'env' | 'profile'>): void {
  if (ctx.profile === DEFAULT_PROFILE || ctx.env.FATHOM_API_KEY?.trim()) return;
  const known = knownProfileNames(readConfig(ctx.paths.configFile));
  if (known.includes(ctx.profile)) return;
  const list = known.length ? `known profiles: ${known.join(', ')}` : 'no profile is connected yet';
  throw new UsageError(`no profile "${ctx.profile}" (${list}); connect it with: fathom-sync connect --profile ${ctx.profile}`);
}
