import os from 'node:os';
import { systemClock, type Clock } from './clock.js';
import { OutputHost, type Streams } from './output.js';
import { resolvePaths, type AppPaths } from './paths.js';
import { chooseProfile } from './profile.js';
import { readConfig } from './config.js';

/**
 * The application context: built once in cli.ts and passed down to every command and service,
 * so paths, the environment, the clock, the platform and the output host each have one source.
 * Services take the parts they need (usually this whole object or a Pick of it); tests build one
 * with their own clock, streams and paths.
 */

export interface UserInfo {
  name: string;
  home: string;
  uid: number;
}

/**
 * Seams for the integration tests, which run the real CLI as a subprocess and so cannot inject
 * objects. Read from the environment here and nowhere else; not settings for users (README:
 * "Test-only variables").
 */
export interface TestSeams {
  /** FATHOM_SYNC_NOW: the "now" of date windows (ISO date-time); waits and timings stay real. */
  pinnedNow: number | null;
  /** FATHOM_SYNC_RETRY_BASE_MS: the first retry backoff step, so tests need not wait 500 ms. */
  retryBaseMs: number | null;
  /** FATHOM_SYNC_BUSY_TIMEOUT_MS: how long to wait for another program's lock on the database, so tests need not wait 5 s. */
  busyTimeoutMs: number | null;
  /** FATHOM_SYNC_COPY_KILL_AFTER_BATCHES: `db copy` kills itself (SIGKILL, as kill -9 would) after this many committed batches, so tests can resume a crashed copy. */
  copyKillAfterBatches: number | null;
}

export interface AppContext {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly user: UserInfo;
  /** This node binary (the schedule runs the same one). */
  readonly nodePath: string;
  /** Where everything lives, with --db / FATHOM_SYNC_DB applied. */
  readonly paths: AppPaths;
  /** The profile (Fathom account) the command is for: --profile, FATHOM_SYNC_PROFILE or `default`. */
  readonly profile: string;
  /** Whether a profile was named (read commands then show only its meetings; all of them otherwise). */
  readonly profileChosen: boolean;
  readonly clock: Clock;
  readonly output: OutputHost;
  readonly stdin: NodeJS.ReadStream;
  readonly seams: TestSeams;
  /** The "now" date windows are planned from: the clock's, unless a test pinned it. */
  windowNow(): number;
}

export interface ContextOptions {
  /** --db of the command being run. */
  db?: string;
  /** --profile of the command being run. */
  profile?: string;
  clock?: Clock;
  stdin?: NodeJS.ReadStream;
  platform?: NodeJS.Platform;
  user?: UserInfo;
  /** The host cli.ts already made (it prints errors before any command runs). */
  output?: OutputHost;
}

function numberSeam(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export function readTestSeams(env: NodeJS.ProcessEnv): TestSeams {
  const pinned = env.FATHOM_SYNC_NOW ? Date.parse(env.FATHOM_SYNC_NOW) : NaN;
  return {
    pinnedNow: Number.isNaN(pinned) ? null : pinned,
    retryBaseMs: numberSeam(env.FATHOM_SYNC_RETRY_BASE_MS),
    busyTimeoutMs: numberSeam(env.FATHOM_SYNC_BUSY_TIMEOUT_MS),
    copyKillAfterBatches: numberSeam(env.FATHOM_SYNC_COPY_KILL_AFTER_BATCHES),
  };
}

function currentUser(): UserInfo {
  const info = os.userInfo();
  return { name: info.username, home: os.homedir(), uid: info.uid };
}

export function createAppContext(streams: Streams, options: ContextOptions = {}): AppContext {
  const env = streams.env;
  const platform = options.platform ?? process.platform;
  const user = options.user ?? currentUser();
  const clock = options.clock ?? systemClock;
  const seams = readTestSeams(env);
  const { profile, chosen } = chooseProfile(options.profile, env);
  const pathEnv = { env, platform, homedir: user.home };
  // The saved database setting (config.json `database`) is read with the paths it lives in; a
  // config file that cannot be read is reported by the command that needs it, not here.
  const configFile = resolvePaths({}, pathEnv).configFile;
  let savedDatabase: string | undefined;
  try {
    const saved = readConfig(configFile).database;
    if (typeof saved === 'string') savedDatabase = saved;
  } catch {
    savedDatabase = undefined;
  }
  return {
    env,
    platform,
    user,
    nodePath: process.execPath,
    paths: resolvePaths({ ...(options.db ? { dbOverride: options.db } : {}), profile, ...(savedDatabase ? { savedDatabase } : {}) }, pathEnv),
    profile,
    profileChosen: chosen,
    clock,
    output: options.output ?? new OutputHost(streams),
    stdin: options.stdin ?? process.stdin,
    seams,
    windowNow: () => seams.pinnedNow ?? clock.now(),
  };
}

/**
 * The same context for another profile (run --all-profiles): its own lock file and credential.
 * FATHOM_API_KEY and FATHOM_API_URL are left out: each profile uses what it saved, so one key in
 * the environment does not sync one account under every profile's name.
 */
export function contextForProfile(ctx: AppContext, profile: string): AppContext {
  const { FATHOM_API_KEY: _key, FATHOM_API_URL: _url, ...env } = ctx.env;
  const paths = { ...ctx.paths, lockFile: resolvePaths({ profile }, { env: ctx.env, platform: ctx.platform, homedir: ctx.user.home }).lockFile };
  return { ...ctx, env, paths, profile, profileChosen: true };
}
