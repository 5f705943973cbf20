import crypto from 'node:crypto';
import type { AppPaths } from '../core/paths.js';
import type { Clock } from '../core/clock.js';
import { readConfig, updateConfig, type AppConfig } from '../core/config.js';
import { ensurePrivateDir } from '../core/fs-safe.js';
import type { CommandRunner } from './command-runner.js';
import { CrontabScheduler } from './crontab.js';
import { LaunchdScheduler } from './launchd.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import { connectedProfileNames } from '../auth/profile-names.js';
import { DEFAULT_JOB_TARGET, buildJobSpec, chooseMinute, jobTargetOf, scheduledArgs, sessionBusFor, type JobSpec, type JobTarget } from './job.js';
import { credentialFixFor, probeCredentialAsJob, schedulerEnvironment, type CredentialReachability } from './cron-environment.js';
import type { ScheduleChange, Scheduler } from './scheduler.js';

/**
 * install-cron and uninstall-cron as services: they take a context (paths, environment, the OS
 * seams) and options, and know nothing of flags or terminals.
 */

export interface ScheduleContext {
  paths: AppPaths;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  runner: CommandRunner;
  /** process.execPath of the installing node. */
  nodePath: string;
  /** Real path of bin/fathom-sync.js. */
  cliPath: string;
  user: { name: string; home: string; uid: number };
  /** Edit this user's crontab (crontab -u) instead of our own; root only. */
  crontabUser?: string;
  clock: Clock;
}

export type ScheduleRecord = NonNullable<AppConfig['schedule']>;

export function schedulerFor(ctx: ScheduleContext, record?: ScheduleRecord): Scheduler {
  if (ctx.platform === 'darwin') return new LaunchdScheduler(ctx.runner, { home: ctx.user.home, uid: ctx.user.uid });
  return new CrontabScheduler(ctx.runner, ctx.crontabUser ?? record?.crontabUser);
}

/** Where the profile's credential is (`connect` records its backend in config.json). */
export function credentialBackend(config: AppConfig, profile: string = DEFAULT_PROFILE): string | undefined {
  return config.credentials?.[profile]?.backend;
}

/** The profiles a job for this target syncs: the one, or every connected one (as `run --all-profiles` picks them). */
export function profilesOf(target: JobTarget, config: AppConfig): string[] {
  return 'allProfiles' in target ? connectedProfileNames(config) : [target.profile];
}

/** `fathom-sync install-cron` with the flags that install this target again (for fixes). */
export function installCommandFor(target: JobTarget): string {
  return ['fathom-sync install-cron', ...scheduledArgs(target).slice(4)].join(' ');
}

/**
 * First-install minute: derived from machine, user and state directory, so it is spread like a
 * random pick across users yet the same in --dry-run and in the install that follows. Saved in
 * config.json at install and kept from then on.
 */
export function spreadMinute(ctx: Pick<ScheduleContext, 'user' | 'paths'>, host: string): number {
  const digest = crypto.createHash('sha256').update(`${host}\0${ctx.user.name}\0${ctx.paths.stateDir}`).digest();
  return digest.readUInt32BE(0) % 60;
}

export function planJob(ctx: ScheduleContext, config: AppConfig, options: { minute?: number; host: string; target?: JobTarget }): JobSpec {
  const minute = chooseMinute(config.cronMinute, options.minute, () => spreadMinute(ctx, options.host));
  const target = options.target ?? DEFAULT_JOB_TARGET;
  const needsBus = ctx.platform === 'linux' && profilesOf(target, config).some((profile) => credentialBackend(config, profile) === 'keychain');
  const sessionBusAddress = needsBus ? sessionBusFor(ctx.user.uid, ctx.env) : undefined;
  return buildJobSpec({
    env: ctx.env,
    nodePath: ctx.nodePath,
    cliPath: ctx.cliPath,
    logFile: ctx.paths.logFile,
    minute,
    target,
    ...(sessionBusAddress ? { sessionBusAddress } : {}),
  });
}

export interface CredentialCheck {
  reachability: CredentialReachability;
  fix?: { text: string; commands: string[] };
}

export interface InstallOutcome {
  dryRun: boolean;
  job: JobSpec;
  target: JobTarget;
  /** The profiles the job syncs as config.json stands now (--all-profiles: also those connected later). */
  profiles: string[];
  change: ScheduleChange;
  /** Only after a real install. */
  credential?: CredentialCheck;
}

export async function installSchedule(
  ctx: ScheduleContext,
  options: { minute?: number; dryRun: boolean; host: string; checkCredential?: boolean; target?: JobTarget },
): Promise<InstallOutcome> {
  const config = readConfig(ctx.paths.configFile);
  const target = options.target ?? DEFAULT_JOB_TARGET;
  const job = planJob(ctx, config, { ...options, target });
  const scheduler = schedulerFor(ctx);
  const change = await scheduler.planInstall(job);
  const planned = { job, target, profiles: profilesOf(target, config), change };
  if (options.dryRun) return { dryRun: true, ...planned };

  // `>> sync.log` fails, and the job with it, when the directory is missing.
  ensurePrivateDir(ctx.paths.stateDir);
  await scheduler.apply(change);
  updateConfig(ctx.paths.configFile, (c) => {
    c.cronMinute = job.minute;
    const record: ScheduleRecord = {
      kind: scheduler.kind,
      minute: job.minute,
      nodePath: job.nodePath,
      cliPath: job.cliPath,
      installedAt: new Date(ctx.clock.now()).toISOString(),
      ...(scheduler instanceof LaunchdScheduler ? { plistPath: scheduler.plistPath } : {}),
      ...(ctx.crontabUser ? { crontabUser: ctx.crontabUser } : {}),
    };
    c.schedule = record;
  });
  if (options.checkCredential === false) return { dryRun: false, ...planned };
  return { dryRun: false, ...planned, credential: await checkJobCredential(ctx, job, scheduler.kind, config) };
}

/**
 * Whether the job can read the credential of each profile it syncs, tried one after another in
 * the job's own environment; the first that cannot (else one that could not be tried) is the
 * answer, with the profile named when the job has more than `default`.
 */
export async function checkJobCredential(ctx: ScheduleContext, job: JobSpec, kind: Scheduler['kind'], config: AppConfig): Promise<CredentialCheck> {
  const target = jobTargetOf(job.args) ?? DEFAULT_JOB_TARGET;
  const profiles = profilesOf(target, config);
  const install = installCommandFor(target);
  if (profiles.length === 0) {
    return { reachability: { readable: false, reason: 'no profile is connected' }, fix: credentialFixFor(undefined, ctx.platform, { install }) };
  }
  const env = schedulerEnvironment(kind, job, ctx.user);
  const named = (profile: string, text: string) => (profiles.length > 1 || profile !== DEFAULT_PROFILE ? `profile ${profile}: ${text}` : text);
  const found: string[] = [];
  let unknown: CredentialCheck | undefined;
  for (const profile of profiles) {
    const reachability = await probeCredentialAsJob(ctx.runner, job, env, undefined, profile);
    if (reachability.readable === true) {
      found.push(named(profile, reachability.detail));
      continue;
    }
    const check = { reachability: { ...reachability, reason: named(profile, reachability.reason) } };
    if (reachability.readable === false) return { ...check, fix: credentialFixFor(credentialBackend(config, profile), ctx.platform, { profile, install }) };
    unknown ??= check;
  }
  return unknown ?? { reachability: { readable: true, detail: found.join('; ') } };
}

export interface UninstallOutcome {
  dryRun: boolean;
  change: ScheduleChange;
}

export async function uninstallSchedule(ctx: ScheduleContext, options: { dryRun: boolean }): Promise<UninstallOutcome> {
  const config = readConfig(ctx.paths.configFile);
  const scheduler = schedulerFor(ctx, config.schedule);
  const change = await scheduler.planRemoval();
  if (options.dryRun) return { dryRun: true, change };
  await scheduler.apply(change);
  if (config.schedule) {
    // cronMinute stays: a later install-cron comes back at the same minute.
    updateConfig(ctx.paths.configFile, (c) => {
      delete c.schedule;
    });
  }
  return { dryRun: false, change };
}
