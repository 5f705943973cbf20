import { ScheduleError } from '../core/errors.js';
import { describeFailure, type CommandRunner } from './command-runner.js';
import { blockEntries, findBlock, parseCronEntry, removeBlock, renderBlock, stripInjectedHeader, upsertBlock } from './crontab-text.js';
import type { JobSpec } from './job.js';
import type { InstalledJob, ScheduleChange, Scheduler } from './scheduler.js';

/**
 * The user's crontab, read with `crontab -l` and written with `crontab -`. With `user`, the
 * `-u` form edits that user's crontab instead (root only): tests use it on a throwaway user so
 * the crontab of whoever runs them is never touched.
 */
export class CrontabScheduler implements Scheduler {
  readonly kind = 'crontab' as const;

  constructor(
    private readonly runner: CommandRunner,
    private readonly user?: string,
  ) {}

  get target(): string {
    return this.user ? `the crontab of ${this.user}` : 'your crontab';
  }

  #args(...args: string[]): string[] {
    return this.user ? ['-u', this.user, ...args] : args;
  }

  /** The current crontab; '' when the user has none. */
  async read(): Promise<string> {
    const result = await this.runner.run('crontab', this.#args('-l'));
    if (result.error === 'ENOENT') {
      throw new ScheduleError('the crontab program is not installed', 'install cron (Debian/Ubuntu: sudo apt-get install cron), or schedule `fathom-sync run --incremental --quiet` yourself');
    }
    if (result.code === 0) return stripInjectedHeader(result.stdout);
    // "no crontab for alice" is the only failure that means "empty". Anything else (a denied
    // user, a broken spool) must stop us: writing after a failed read would wipe the crontab.
    if (/no crontab for/i.test(result.stderr) || /^no crontab for/i.test(result.stdout)) return '';
    throw new ScheduleError(describeFailure('crontab -l', result), 'check that you may use cron (see /etc/cron.allow and /etc/cron.deny)');
  }

  async planInstall(job: JobSpec): Promise<ScheduleChange> {
    const current = await this.read();
    const block = renderBlock(job);
    const next = upsertBlock(current, block);
    return { kind: 'crontab', target: this.target, content: next, owned: `${block.join('\n')}\n`, changes: next !== current, commands: [['crontab', ...this.#args('-')]] };
  }

  async planRemoval(): Promise<ScheduleChange> {
    const current = await this.read();
    const lines = current === '' ? [] : current.split('\n');
    const found = findBlock(lines);
    const owned = found ? `${lines.slice(found.begin, found.end + 1).join('\n')}\n` : '';
    const { text, changed } = removeBlock(current);
    // Nothing of the user's left: remove the crontab rather than leave an empty one behind.
    const content = text.trim() === '' ? null : text;
    const command = content === null ? ['crontab', ...this.#args('-r')] : ['crontab', ...this.#args('-')];
    return { kind: 'crontab', target: this.target, content, owned, changes: changed, commands: changed ? [command] : [] };
  }

  async apply(change: ScheduleChange): Promise<void> {
    if (!change.changes) return;
    if (change.content === null) {
      const result = await this.runner.run('crontab', this.#args('-r'));
      if (result.code !== 0 && !/no crontab for/i.test(result.stderr)) throw new ScheduleError(describeFailure('crontab -r', result));
    } else {
      const result = await this.runner.run('crontab', this.#args('-'), { input: change.content });
      if (result.code !== 0) throw new ScheduleError(describeFailure('crontab -', result));
    }
    // Read back: cron implementations differ, and a silent partial write is worse than an error.
    const written = await this.read();
    if (written !== (change.content ?? '')) {
      throw new ScheduleError('the crontab read back differs from what was written', 'run crontab -l to see it, and crontab -e to fix it');
    }
  }

  async inspect(): Promise<InstalledJob | null> {
    const text = await this.read();
    const entry = blockEntries(text)[0];
    if (entry === undefined) return null;
    const parsed = parseCronEntry(entry);
    return {
      kind: 'crontab',
      target: this.target,
      minute: parsed?.minute ?? '?',
      nodePath: parsed?.program,
      cliPath: parsed?.args[0],
      args: parsed?.args.slice(1) ?? [],
      env: parsed?.env ?? {},
      raw: entry,
    };
  }
}
