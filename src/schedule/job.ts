import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.js';
import { DEFAULT_PROFILE, isProfileName } from '../core/profile.js';
import { isPostgresUrl } from '../core/paths.js';

/**
 * What the hourly job runs, independent of the scheduler that runs it. Cron and launchd start
 * jobs with an almost empty environment and no login shell, so everything is absolute and the
 * few variables the job depends on travel with it.
 */

export interface JobSpec {
  /** Minute of the hour, 0-59. */
  minute: number;
  /** Absolute node binary: never PATH, nvm shims or `#!/usr/bin/env node`. */
  nodePath: string;
  /** Real path of bin/fathom-sync.js. */
  cliPath: string;
  args: string[];
  /** Variables the job sets for itself, in a stable order. */
  env: Record<string, string>;
  /** Output (stdout and stderr) is appended here. */
  logFile: string;
}

/** What the job runs for the `default` profile; other targets add their flag after it. */
export const SCHEDULED_ARGS = ['run', '--incremental', '--quiet', '--scheduled'];

/** Which profiles the job syncs: one (`default` needs no flag), or every connected one, one after another. */
export type JobTarget = { profile: string } | { allProfiles: true };

export const DEFAULT_JOB_TARGET: JobTarget = { profile: DEFAULT_PROFILE };

/** The job's arguments for a target: SCHEDULED_ARGS, then `--all-profiles` or `--profile NAME`. */
export function scheduledArgs(target: JobTarget = DEFAULT_JOB_TARGET): string[] {
  if ('allProfiles' in target) return [...SCHEDULED_ARGS, '--all-profiles'];
  return target.profile === DEFAULT_PROFILE ? [...SCHEDULED_ARGS] : [...SCHEDULED_ARGS, '--profile', target.profile];
}

/**
 * The target of an installed job's arguments, or null when they are not what install-cron writes
 * (someone edited the entry). What doctor compares an installed job with.
 */
export function jobTargetOf(args: readonly string[]): JobTarget | null {
  const base = SCHEDULED_ARGS.length;
  if (args.slice(0, base).join(' ') !== SCHEDULED_ARGS.join(' ')) return null;
  const rest = args.slice(base);
  if (rest.length === 0) return DEFAULT_JOB_TARGET;
  if (rest.length === 1 && rest[0] === '--all-profiles') return { allProfiles: true };
  if (rest.length === 2 && rest[0] === '--profile' && isProfileName(rest[1]!)) return { profile: rest[1]! };
  return null;
}

/** Whether an installed job runs exactly what install-cron writes, for some target. */
export function isScheduledArgs(args: readonly string[]): boolean {
  return jobTargetOf(args) !== null;
}

/**
 * Variables that change where fathom-sync reads and writes, and for which profile. A shell
 * profile may set them, and cron does not read shell profiles, so the job carries them. Secrets
 * (FATHOM_API_KEY) never go into a crontab or plist.
 */
const CARRIED_VARIABLES = ['FATHOM_SYNC_HOME', 'FATHOM_SYNC_DB', 'FATHOM_API_URL', 'FATHOM_SYNC_PROFILE'] as const;
/** Not carried by a job for every profile: each profile uses its own saved API URL, and none is chosen. */
const SINGLE_PROFILE_VARIABLES: ReadonlySet<string> = new Set(['FATHOM_API_URL', 'FATHOM_SYNC_PROFILE']);
/** Carried as given (not paths). */
const VERBATIM_VARIABLES: ReadonlySet<string> = new Set(['FATHOM_API_URL', 'FATHOM_SYNC_PROFILE']);
/** Ignored when FATHOM_SYNC_HOME is set, so carried only without it. */
const XDG_VARIABLES = ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME'] as const;

/** The bin script of this installation, symlinks resolved (npm links it from a bin directory). */
export function defaultCliPath(): string {
  // dist/schedule/job.js and src/schedule/job.ts both sit two levels below the package root.
  return fs.realpathSync(fileURLToPath(new URL('../../bin/fathom-sync.js', import.meta.url)));
}

export interface JobInputs {
  env: NodeJS.ProcessEnv;
  nodePath: string;
  cliPath: string;
  logFile: string;
  minute: number;
  /** The session bus address the job needs to reach the Secret Service, when it does. */
  sessionBusAddress?: string;
  /** Which profiles it syncs (default: `default`). */
  target?: JobTarget;
}

export function buildJobSpec(inputs: JobInputs): JobSpec {
  if (!path.isAbsolute(inputs.nodePath)) throw new UsageError(`node binary path ${inputs.nodePath} is not absolute`);
  if (!path.isAbsolute(inputs.cliPath)) throw new UsageError(`CLI path ${inputs.cliPath} is not absolute`);
  const target = inputs.target ?? DEFAULT_JOB_TARGET;
  const env: Record<string, string> = {};
  for (const name of CARRIED_VARIABLES) {
    if ('allProfiles' in target && SINGLE_PROFILE_VARIABLES.has(name)) continue;
    const value = inputs.env[name]?.trim();
    if (!value) continue;
    if (name === 'FATHOM_SYNC_DB' && isPostgresUrl(value)) {
      // A connection string goes as given, never with its password (the job reads ~/.pgpass).
      refusePgPassword(value, 'FATHOM_SYNC_DB');
      env[name] = value;
      continue;
    }
    // Relative paths would be resolved against cron's working directory ($HOME): pin them.
    env[name] = VERBATIM_VARIABLES.has(name) ? value : path.resolve(value);
  }
  if (!env.FATHOM_SYNC_HOME) {
    for (const name of XDG_VARIABLES) {
      const value = inputs.env[name];
      if (value && path.isAbsolute(value)) env[name] = value;
    }
  }
  if (inputs.sessionBusAddress) env.DBUS_SESSION_BUS_ADDRESS = inputs.sessionBusAddress;
  return {
    minute: inputs.minute,
    nodePath: inputs.nodePath,
    cliPath: inputs.cliPath,
    args: scheduledArgs(target),
    env,
    logFile: inputs.logFile,
  };
}

/**
 * A PostgreSQL connection string that carries a password is refused where it would be written
 * down (a crontab, a plist, config.json): the password belongs in ~/.pgpass (or PGPASSWORD).
 */
export function refusePgPassword(url: string, where: string): void {
  let password = '';
  try {
    password = new URL(url.trim()).password;
  } catch {
    return;
  }
  if (password) {
    throw new UsageError(`${where} carries a password, which would be written down in plain text; nothing was changed`, {
      text: 'Put the password in ~/.pgpass (host:port:database:user:password, mode 0600) and give the connection string without it, e.g. postgres://user@host/db',
      commands: [],
    });
  }
}

export function parseMinute(value: string): number {
  const n = Number(value);
  if (!/^\d{1,2}$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 59) {
    throw new UsageError(`--minute "${value}" is not a minute of the hour (0-59)`);
  }
  return n;
}

/**
 * The minute the job runs at: the one given, else the one chosen at the first install, else a
 * random one. Random so that many users do not all call Fathom at :00; kept so reinstalling
 * does not move the job around.
 */
export function chooseMinute(saved: number | undefined, requested: number | undefined, random: () => number = () => crypto.randomInt(0, 60)): number {
  if (requested !== undefined) return requested;
  if (saved !== undefined && Number.isInteger(saved) && saved >= 0 && saved <= 59) return saved;
  return random();
}

/**
 * The session bus a cron job should use to reach the Secret Service: this session's (where the
 * credential was just readable), else systemd's per-user bus, which exists while the user is
 * logged in or lingering.
 */
export function sessionBusFor(uid: number, env: NodeJS.ProcessEnv, exists: (file: string) => boolean = fs.existsSync): string | undefined {
  if (env.DBUS_SESSION_BUS_ADDRESS) return env.DBUS_SESSION_BUS_ADDRESS;
  const systemdBus = `/run/user/${uid}/bus`;
  return exists(systemdBus) ? `unix:path=${systemdBus}` : undefined;
}
