import type { JobSpec } from './job.js';

/**
 * A place that runs the job every hour: the user's crontab (Linux) or a LaunchAgent (macOS).
 * Each change is planned first (read, compute the new content) and then applied, so
 * --dry-run can show exactly what would be written without writing it.
 */

export type SchedulerKind = 'crontab' | 'launchd';

export interface ScheduleChange {
  kind: SchedulerKind;
  /** "the crontab of alice", "~/Library/LaunchAgents/....plist". */
  target: string;
  /** The complete new content of the target (null: the target is removed). */
  content: string | null;
  /** Only the lines fathom-sync owns, for messages. */
  owned: string;
  /** Whether applying would change anything. */
  changes: boolean;
  /** Commands run to activate the change (launchctl), for --dry-run output. */
  commands: string[][];
}

/** What an installed job runs, as read back from the scheduler. */
export interface InstalledJob {
  kind: SchedulerKind;
  target: string;
  minute: string;
  nodePath: string | undefined;
  cliPath: string | undefined;
  args: string[];
  env: Record<string, string>;
  /** The entry or plist as written. */
  raw: string;
  /** launchd only: whether launchctl knows the job, and its last exit code. */
  loaded?: boolean;
  lastExitCode?: number | null;
}

export interface Scheduler {
  readonly kind: SchedulerKind;
  planInstall(job: JobSpec): Promise<ScheduleChange>;
  planRemoval(): Promise<ScheduleChange>;
  /** Writes the change, activates it and reads it back; throws when the result differs. */
  apply(change: ScheduleChange): Promise<void>;
  /** The installed job, or null when there is none. */
  inspect(): Promise<InstalledJob | null>;
}
