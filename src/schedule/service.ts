import crypto from 'node:crypto';
import type { AppPaths } from '../core/paths.js';
import type { Clock } from '../core/clock.js';
import { readConfig, updateConfig, type AppConfig } from '../core/config.js';
import { ensurePrivateDir } from '../core/fs-safe.js';
import type { CommandRunner } from './command-runner.js';
import { CrontabScheduler } from './crontab.js';
import { LaunchdScheduler } from './launchd.js';
import { buildJobSpec, chooseMinute, sessionBusFor, type JobSpec } from './job.js';
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

/** The profile whose credential the job uses; `connect` records its backend in config.json. */
const PROFILE = 'default';

export function credentialBackend(config: AppConfig): string | undefined {
  return config.credentials?.[PROFILE]?.backend;
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

export function planJob(ctx: ScheduleContext, config: AppConfig, options: { minute?: number; host: string }): JobSpec {
  const minute = chooseMinute(config.cronMinute, options.minute, () => spreadMinute(ctx, options.host));
  const needsBus = credentialBackend(config) === 'keychain' && ctx.platform === 'linux';
  const sessionBusAddress = needsBus ? sessionBusFor(ctx.user.uid, ctx.env) : undefined;
  return buildJobSpec({
    env: ctx.env,
    nodePath: ctx.nodePath,
    cliPath: ctx.cliPath,
    logFile: ctx.paths.logFile,
    minute,
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
  change: ScheduleChange;
  /** Only after a real install. */
  credential?: CredentialCheck;
}

export async function installSchedule(ctx: ScheduleContext, options: { minute?: number; dryRun: boolean; host: string; checkCredential?: boolean }): Promise<InstallOutcome> {
  const config = readConfig(ctx.paths.configFile);
  const job = planJob(ctx, config, options);
  const scheduler = schedulerFor(ctx);
  const change = await scheduler.planInstall(job);
  if (options.dryRun) return { dryRun: true, job, change };

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
  if (options.checkCredential === false) return { dryRun: false, job, change };
  return { dryRun: false, job, change, credential: await checkJobCredential(ctx, job, scheduler.kind, config) };
}

export async function checkJobCredential(ctx: ScheduleContext, job: JobSpec, kind: Scheduler['kind'], config: AppConfig): Promise<CredentialCheck> {
  const env = schedulerEnvironment(kind, job, ctx.user);
  const reachability = await probeCredentialAsJob(ctx.runner, job, env);
  if (reachability.readable === true) return { reachability };
  return { reachability, fix: credentialFixFor(credentialBackend(config), ctx.platform) };
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
