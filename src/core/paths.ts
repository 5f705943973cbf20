import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PROFILE, lockFileName } from './profile.js';

/** Where fathom-sync keeps its files. Directories are created 0700 by ensureDirs(). */
export interface AppPaths {
  configDir: string;
  dataDir: string;
  stateDir: string;
  /** Non-secret configuration (which credential backend, OAuth client id, cron minute...). */
  configFile: string;
  /** The SQLite database, unless --db / FATHOM_SYNC_DB says otherwise. */
  database: string;
  /**
   * A PostgreSQL connection string (postgres://...) when --db, FATHOM_SYNC_DB or the saved
   * setting (config.json `database`) names one: then it is the database and `database` is unused.
   */
  databaseUrl: string | null;
  /** Scheduled runs append their output here. */
  logFile: string;
  /** One sync of the profile at a time (SQLite targets; PostgreSQL uses an advisory lock). */
  lockFile: string;
}

export interface PathEnv {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
}

const APP = 'fathom-sync';

function defaultPathEnv(): PathEnv {
  return { env: process.env, platform: process.platform, homedir: os.homedir() };
}

/**
 * Resolves the directories: FATHOM_SYNC_HOME puts everything under one root (tests, cron,
 * portable installs); otherwise XDG on Linux and ~/Library on macOS.
 */
/** Whether a --db value names a PostgreSQL database rather than a file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

export function resolvePaths(options: { dbOverride?: string; profile?: string; savedDatabase?: string } = {}, pe: PathEnv = defaultPathEnv()): AppPaths {
  const { env, platform, homedir } = pe;
  let configDir: string;
  let dataDir: string;
  let stateDir: string;
  const home = env.FATHOM_SYNC_HOME?.trim();
  if (home) {
    const root = path.resolve(home);
    configDir = path.join(root, 'config');
    dataDir = path.join(root, 'data');
    stateDir = path.join(root, 'state');
  } else if (platform === 'darwin') {
    configDir = path.join(homedir, 'Library', 'Preferences', APP);
    dataDir = path.join(homedir, 'Library', 'Application Support', APP);
    stateDir = path.join(homedir, 'Library', 'Logs', APP);
  } else {
    const xdg = (name: string, fallback: string): string => {
      const value = env[name];
      // The XDG spec says relative values are invalid and must be ignored.
      return value && path.isAbsolute(value) ? value : path.join(homedir, fallback);
    };
    configDir = path.join(xdg('XDG_CONFIG_HOME', '.config'), APP);
    dataDir = path.join(xdg('XDG_DATA_HOME', path.join('.local', 'share')), APP);
    stateDir = path.join(xdg('XDG_STATE_HOME', path.join('.local', 'state')), APP);
  }
  const chosen = options.dbOverride || env.FATHOM_SYNC_DB?.trim() || options.savedDatabase?.trim() || null;
  const databaseUrl = chosen && isPostgresUrl(chosen) ? chosen.trim() : null;
  const database = chosen && !databaseUrl ? path.resolve(chosen) : path.join(dataDir, `${APP}.db`);
  return {
    configDir,
    dataDir,
    stateDir,
    configFile: path.join(configDir, 'config.json'),
    database,
    databaseUrl,
    logFile: path.join(stateDir, 'sync.log'),
    lockFile: path.join(stateDir, lockFileName(options.profile ?? DEFAULT_PROFILE)),
  };
}
