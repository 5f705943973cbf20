import type { CommandRunner } from './command-runner.js';
import type { JobSpec } from './job.js';
import type { SchedulerKind } from './scheduler.js';
import { LAUNCHD_PATH } from './launchd.js';
import { DEFAULT_PROFILE } from '../core/profile.js';

/**
 * "Can the scheduled job read the credential?" answered by trying: run this CLI's
 * `status --json` with exactly the environment the scheduler will give the job (cron: HOME,
 * LOGNAME, SHELL, a minimal PATH, plus what the job carries), nothing inherited.
 */

/** The variables cron itself sets for a job (crontab(5)); launchd sets PATH from the plist. */
export function schedulerEnvironment(kind: SchedulerKind, job: JobSpec, user: { home: string; name: string }): Record<string, string> {
  const base: Record<string, string> = {
    HOME: user.home,
    LOGNAME: user.name,
    USER: user.name,
    SHELL: '/bin/sh',
    PATH: kind === 'launchd' ? LAUNCHD_PATH : '/usr/bin:/bin',
  };
  return { ...base, ...job.env };
}

export type CredentialReachability =
  | { readable: true; detail: string }
  | { readable: false; reason: string }
  | { readable: 'unknown'; reason: string };

/** The parts of `status --json` this check reads; the rest of the shape is the status command's business. */
interface StatusJson {
  connected?: boolean;
  credential_store?: string | null;
  credential_location?: string | null;
  problem?: string | null;
}

function parseStatus(stdout: string): StatusJson | null {
  try {
    const value = JSON.parse(stdout) as unknown;
    return value && typeof value === 'object' ? (value as StatusJson) : null;
  } catch {
    return null;
  }
}

/** `status --json` of the profile (a profile other than `default` is named with --profile, as the job names it). */
export async function probeCredentialAsJob(runner: CommandRunner, job: JobSpec, env: Record<string, string>, timeoutMs = 20_000, profile = DEFAULT_PROFILE): Promise<CredentialReachability> {
  const named = profile === DEFAULT_PROFILE ? [] : ['--profile', profile];
  const result = await runner.run(job.nodePath, [job.cliPath, 'status', '--json', ...named], { env, timeoutMs });
  if (result.error) return { readable: 'unknown', reason: `could not run ${job.nodePath}: ${result.error}` };
  const status = parseStatus(result.stdout);
  if (result.code === 0 && status?.connected !== false) {
    const where = status?.credential_location ?? status?.credential_store;
    return { readable: true, detail: where ? `found in ${where}` : 'found' };
  }
  if (result.code === 4) {
    const reason = status?.problem ?? (status?.connected === false ? 'no stored credential (FATHOM_API_KEY from your shell does not reach scheduled jobs)' : lastLine(result.stderr));
    return { readable: false, reason: reason || 'no credential found' };
  }
  if (result.code === 2 && /unknown command/i.test(result.stderr)) {
    return { readable: 'unknown', reason: 'this fathom-sync has no status command to test with' };
  }
  const said = status?.problem ?? lastLine(result.stderr);
  return { readable: 'unknown', reason: `status exited with ${result.code}${said ? `: ${said}` : ''}` };
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .pop()
      ?.replace(/^fathom-sync:\s*/, '') ?? ''
  );
}

/**
 * What to do when the job cannot read the credential, depending on where it is kept: the
 * commands name the profile, and reinstall with the job's own flags (`install`).
 */
export function credentialFixFor(
  backend: string | undefined,
  platform: NodeJS.Platform,
  options: { profile?: string; install?: string } = {},
): { text: string; commands: string[] } {
  const connect = `fathom-sync connect${options.profile && options.profile !== DEFAULT_PROFILE ? ` --profile ${options.profile}` : ''}`;
  const install = options.install ?? 'fathom-sync install-cron';
  if (backend === undefined) {
    return {
      text: 'No stored credential: FATHOM_API_KEY in your shell is not passed to scheduled jobs. Store the credential:',
      commands: [connect],
    };
  }
  if (backend === 'keychain' && platform === 'linux') {
    return {
      text:
        'The job cannot reach the Secret Service (cron has no session bus, and the keyring must be unlocked). ' +
        'Stay logged in (or `loginctl enable-linger`) and reinstall so the job carries the bus address, or store the credential in a file:',
      commands: [`loginctl enable-linger "$USER" && ${install}`, `FATHOM_SYNC_TOKEN_STORE=file ${connect}`],
    };
  }
  if (backend === 'keychain') {
    return { text: 'The job cannot read the keychain. Unlock it, or store the credential in a file:', commands: [`FATHOM_SYNC_TOKEN_STORE=file ${connect}`] };
  }
  return { text: 'Reconnect so the credential is stored where the job can read it:', commands: [connect] };
}
