import type { AppContext } from '../core/context.js';
import { accountScope, openReaderFor } from './read-scope.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { safeLine } from '../core/safe-text.js';
import type { TaskItem } from '../db/read/reader.js';
import { isEmail, parseLimit, parseMeetingFilter, type MeetingFilterFlags } from '../domain/meeting-filter.js';

export interface TasksFlags extends MeetingFilterFlags {
  done?: boolean;
  all?: boolean;
  assignee?: string;
  limit?: string;
  json?: boolean;
}

/** `fathom-sync tasks`: action items, open ones by default. */
export async function tasksCommand(flags: TasksFlags, ctx: AppContext): Promise<number> {
  if (flags.done && flags.all) throw new UsageError('--done and --all cannot be combined');
  if (flags.assignee !== undefined && !isEmail(flags.assignee)) throw new UsageError(`--assignee "${flags.assignee}" is not an email address`);
  const filter = { ...parseMeetingFilter(flags), ...accountScope(ctx), status: flags.all ? ('all' as const) : flags.done ? ('done' as const) : ('open' as const), ...(flags.assignee ? { assignee: flags.assignee } : {}) };
  const limit = flags.limit === undefined ? null : parseLimit(flags.limit, 0);
  const reader = await openReaderFor(ctx);
  try {
    const tasks = reader.tasks(filter, limit);
    if (ctx.output.jsonMode) ctx.output.json(tasks);
    else if (tasks.length === 0) ctx.output.result(`No ${filter.status === 'all' ? '' : `${filter.status} `}action items match.`);
    else ctx.output.result(formatTasks(tasks));
    return ExitCode.ok;
  } finally {
    reader.close();
  }
}

export function formatTasks(tasks: readonly TaskItem[]): string {
  return tasks
    .map((t) => {
      const who = t.assignee_name ?? t.assignee_email;
      const head = `[${t.completed ? 'x' : ' '}] ${safeLine(t.description ?? '')}${who ? ` — ${safeLine(who)}` : ''}`;
      const from = `    ${t.meeting_created_at.slice(0, 10)} ${safeLine(t.meeting_title ?? '(untitled)')}${t.recording_timestamp ? ` at ${safeLine(t.recording_timestamp)}` : ''}`;
      return [head, from, ...(t.link ? [`    ${safeLine(t.link)}`] : [])].join('\n');
    })
    .join('\n');
}
