import type { AppPaths } from '../core/paths.js';
import type { Clock } from '../core/clock.js';
import type { Fix } from '../core/errors.js';
import type { AppConfig } from '../core/config.js';
import type { LockSystem } from '../core/lock-file.js';
import type { CommandRunner } from '../schedule/command-runner.js';
import type { ScheduleContext } from '../schedule/service.js';
import type { InstalledJob } from '../schedule/scheduler.js';

/**
 * doctor's model: a check is an id, a title and a function from the context to a result. Checks
 * know nothing of output; the runner runs them and the renderer prints them.
 */

export type CheckStatus = 'ok' | 'warning' | 'failure' | 'skipped';

/** The fix shape of every error: one sentence, then the commands to paste in order. */
export type CheckFix = Fix;

export interface CheckResult {
  status: CheckStatus;
  /** One line, shown next to the title. */
  summary: string;
  /** More lines, shown under problems (and under everything with --verbose). */
  details?: string[];
  fix?: CheckFix;
}

export interface DoctorCheck {
  id: string;
  title: string;
  /** Longer than the default for checks that start programs. */
  timeoutMs?: number;
  run(ctx: DoctorContext, signal: AbortSignal): Promise<CheckResult>;
}

/** What doctor knows about the credential of this environment, without revealing it. */
export interface CredentialFacts {
  found: boolean;
  kind?: 'api_key' | 'oauth';
  /** Where it was found, in words ("environment (FATHOM_API_KEY)", "the OS keychain ..."). */
  source?: string;
  /** The backend `connect` recorded in config.json, if any. */
  backend?: string;
  /** OAuth only: epoch ms the access token expires; null when unknown. */
  expiresAt?: number | null;
  /** OAuth only: whether a refresh token is there to renew it. */
  refreshable?: boolean;
  /** Set when the credential store could not be read at all. */
  problem?: string;
}

export type ApiProbeOutcome =
  | { outcome: 'accepted' }
  | { outcome: 'rejected'; message: string }
  | { outcome: 'unreachable'; message: string }
  | { outcome: 'error'; message: string };

/** The installed job as the scheduler has it; null when none; an error message when unreadable. */
export type ScheduleFacts = { job: InstalledJob | null } | { error: string };

import type { PgTargetFacts } from '../db/pg/inspect.js';
import type { RunRecord } from '../db/run-history.js';

/** The account's newest run that tried to sync, and its last success. */
export interface LastRunFacts {
  lastRun: RunRecord | null;
  lastSuccessAt: string | null;
}

export interface DoctorContext {
  /** The profile (account) being checked. */
  profile: string;
  paths: AppPaths;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  nodeVersion: string;
  nodePath: string;
  clock: Clock;
  runner: CommandRunner;
  lockSystem: LockSystem;
  schedule: ScheduleContext;
  /** config.json; {} when absent or unreadable. */
  config: AppConfig;
  /** Why config.json could not be read, when it could not. */
  configError?: string;
  /** How long a database held by another program may stay locked before doctor reports it (default: what a sync waits). */
  databaseBusyWaitMs?: number;
  /** The API base URL the client would use. */
  apiUrl: string;
  /** Memoized: several checks ask, one lookup happens. */
  credential(): Promise<CredentialFacts>;
  /** One cheap authenticated call, with a short timeout and no long retries. */
  probeApi(signal: AbortSignal): Promise<ApiProbeOutcome>;
  /** Memoized read of the installed job. */
  installedJob(): Promise<ScheduleFacts>;
  /** Memoized look at a PostgreSQL target (paths.databaseUrl); null for a SQLite file. */
  postgres(): Promise<PgTargetFacts> | null;
  fileExists(file: string): boolean;
  isExecutable(file: string): boolean;
}
