import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.js';

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

export const SCHEDULED_ARGS = ['run', '--incremental', '--quiet', '--scheduled'];

/**
 * Variables that change where fathom-sync reads and writes. A shell profile may set them, and
 * cron does not read shell profiles, so the job carries them. Secrets (FATHOM_API_KEY) never
 * go into a crontab or plist.
 */
const CARRIED_VARIABLES = ['FATHOM_SYNC_HOME', 'FATHOM_SYNC_DB', 'FATHOM_API_URL'] as const;
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
}

export function buildJobSpec(inputs: JobInputs): JobSpec {
  if (!path.isAbsolute(inputs.nodePath)) throw new UsageError(`node binary path ${inputs.nodePath} is not absolute`);
  if (!path.isAbsolute(inputs.cliPath)) throw new UsageError(`CLI path ${inputs.cliPath} is not absolute`);
  const env: Record<string, string> = {};
  for (const name of CARRIED_VARIABLES) {
    const value = inputs.env[name]?.trim();
    // Relative paths would be resolved against cron's working directory ($HOME): pin them.
    if (value) env[name] = name === 'FATHOM_API_URL' ? value : path.resolve(value);
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
    args: [...SCHEDULED_ARGS],
    env,
    logFile: inputs.logFile,
  };
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
