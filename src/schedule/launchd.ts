import fs from 'node:fs';
import path from 'node:path';
import { ScheduleError } from '../core/errors.js';
import { describeFailure, type CommandRunner } from './command-runner.js';
import type { JobSpec } from './job.js';
import { parsePlist, renderPlist, type PlistValue } from './plist.js';
import type { InstalledJob, ScheduleChange, Scheduler } from './scheduler.js';

/**
 * A LaunchAgent in ~/Library/LaunchAgents, loaded into the user's GUI domain (where the login
 * keychain is reachable). StartCalendarInterval, unlike StartInterval, fires once on wake for
 * runs missed while the Mac slept.
 */

export const LAUNCHD_LABEL = 'com.fathom-sync.hourly';
/** launchd passes no PATH of the user's shell; children (e.g. /usr/bin/security) need one. */
export const LAUNCHD_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

export function plistPathFor(home: string, label = LAUNCHD_LABEL): string {
  return path.join(home, 'Library', 'LaunchAgents', `${label}.plist`);
}

export function renderAgentPlist(job: JobSpec, label = LAUNCHD_LABEL): string {
  return renderPlist({
    Label: label,
    ProgramArguments: [job.nodePath, job.cliPath, ...job.args],
    EnvironmentVariables: { PATH: LAUNCHD_PATH, ...job.env },
    StartCalendarInterval: { Minute: job.minute },
    StandardOutPath: job.logFile,
    StandardErrorPath: job.logFile,
    ProcessType: 'Background',
  });
}

export interface AgentDefinition {
  label: string | undefined;
  programArguments: string[];
  env: Record<string, string>;
  minute: number | undefined;
  stdoutPath: string | undefined;
  stderrPath: string | undefined;
}

const isDict = (v: PlistValue | undefined): v is { [key: string]: PlistValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseAgentPlist(xml: string): AgentDefinition {
  const root = parsePlist(xml);
  if (!isDict(root)) throw new ScheduleError('the LaunchAgent plist is not a dictionary');
  const args = Array.isArray(root.ProgramArguments) ? root.ProgramArguments.filter((a): a is string => typeof a === 'string') : [];
  const envDict = isDict(root.EnvironmentVariables) ? root.EnvironmentVariables : {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(envDict)) if (typeof v === 'string') env[k] = v;
  const interval = isDict(root.StartCalendarInterval) ? root.StartCalendarInterval : {};
  return {
    label: typeof root.Label === 'string' ? root.Label : undefined,
    programArguments: args,
    env,
    minute: typeof interval.Minute === 'number' ? interval.Minute : undefined,
    stdoutPath: typeof root.StandardOutPath === 'string' ? root.StandardOutPath : undefined,
    stderrPath: typeof root.StandardErrorPath === 'string' ? root.StandardErrorPath : undefined,
  };
}

/** "last exit code = 0" from `launchctl print`; null when it has not run yet. */
export function parseLastExitCode(printOutput: string): number | null | undefined {
  const match = /last exit code = (-?\d+|\(never exited\))/.exec(printOutput);
  if (!match) return undefined;
  return match[1] === '(never exited)' ? null : Number(match[1]);
}

/**
 * Temp file + rename, 0644 (launchd refuses agents others may write to). Not fs-safe's
 * writeFileAtomic: that makes the directory private, and ~/Library/LaunchAgents is not ours.
 */
function writePlistFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o644 });
  fs.chmodSync(tmp, 0o644);
  fs.renameSync(tmp, file);
}

export interface LaunchdOptions {
  home: string;
  uid: number;
  label?: string;
  /** Pause before retrying a bootstrap that failed with launchd's transient I/O error. */
  sleep?: (ms: number) => Promise<void>;
}

export class LaunchdScheduler implements Scheduler {
  readonly kind = 'launchd' as const;
  readonly label: string;
  readonly plistPath: string;
  readonly #domain: string;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly runner: CommandRunner,
    options: LaunchdOptions,
  ) {
    this.label = options.label ?? LAUNCHD_LABEL;
    this.plistPath = plistPathFor(options.home, this.label);
    this.#domain = `gui/${options.uid}`;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  #readPlist(): string | null {
    try {
      return fs.readFileSync(this.plistPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async planInstall(job: JobSpec): Promise<ScheduleChange> {
    const content = renderAgentPlist(job, this.label);
    return {
      kind: 'launchd',
      target: this.plistPath,
      content,
      owned: content,
      // Always reload: the file may be current while the agent is not loaded.
      changes: true,
      commands: [
        ['launchctl', 'bootout', `${this.#domain}/${this.label}`],
        ['launchctl', 'bootstrap', this.#domain, this.plistPath],
        ['launchctl', 'print', `${this.#domain}/${this.label}`],
      ],
    };
  }

  async planRemoval(): Promise<ScheduleChange> {
    const existing = this.#readPlist();
    return {
      kind: 'launchd',
      target: this.plistPath,
      content: null,
      owned: existing ?? '',
      changes: existing !== null,
      commands: existing !== null ? [['launchctl', 'bootout', `${this.#domain}/${this.label}`]] : [],
    };
  }

  async apply(change: ScheduleChange): Promise<void> {
    if (!change.changes) return;
    // Unload first in both directions; "not loaded" is fine.
    await this.runner.run('launchctl', ['bootout', `${this.#domain}/${this.label}`]);
    if (change.content === null) {
      fs.rmSync(this.plistPath, { force: true });
      return;
    }
    writePlistFile(this.plistPath, change.content);
    await this.#bootstrap();
    const printed = await this.runner.run('launchctl', ['print', `${this.#domain}/${this.label}`]);
    if (printed.code !== 0) {
      throw new ScheduleError(`launchd did not load ${this.label}: ${describeFailure('launchctl print', printed)}`, `launchctl bootstrap ${this.#domain} ${this.plistPath}`);
    }
  }

  async #bootstrap(): Promise<void> {
    // "Bootstrap failed: 5: Input/output error" often just means launchd is still tearing the
    // previous instance down: wait and try again a couple of times.
    for (let attempt = 1; ; attempt++) {
      const result = await this.runner.run('launchctl', ['bootstrap', this.#domain, this.plistPath]);
      if (result.code === 0) return;
      const transient = /Input\/output error|^5:|: 5:/m.test(result.stderr);
      if (!transient || attempt >= 3) {
        throw new ScheduleError(describeFailure('launchctl bootstrap', result), `launchctl bootstrap ${this.#domain} ${this.plistPath}`);
      }
      await this.#sleep(500 * attempt);
    }
  }

  async inspect(): Promise<InstalledJob | null> {
    const xml = this.#readPlist();
    if (xml === null) return null;
    const agent = parseAgentPlist(xml);
    const printed = await this.runner.run('launchctl', ['print', `${this.#domain}/${this.label}`]);
    const { PATH: _path, ...env } = agent.env;
    return {
      kind: 'launchd',
      target: this.plistPath,
      minute: agent.minute === undefined ? '?' : String(agent.minute),
      nodePath: agent.programArguments[0],
      cliPath: agent.programArguments[1],
      args: agent.programArguments.slice(2),
      env,
      raw: xml,
      loaded: printed.code === 0,
      lastExitCode: printed.code === 0 ? (parseLastExitCode(printed.stdout) ?? null) : null,
    };
  }
}
