import type { AppContext } from '../core/context.js';
import { openReaderFor } from './read-scope.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { safeLine } from '../core/safe-text.js';
import type { PeopleSort } from '../db/read/reader.js';
import { formatMeetingTable } from './list.js';
import { formatTasks } from './tasks.js';
import { isEmail, parseLimit } from '../domain/meeting-filter.js';
import { renderTable } from './render/table.js';

export interface PeopleFlags {
  external?: boolean;
  internal?: boolean;
  domain?: string;
  sort?: string;
  limit?: string;
  json?: boolean;
}

const SORTS: PeopleSort[] = ['meetings', 'recent', 'name', 'minutes'];
const side = (external: boolean | null) => (external === true ? 'external' : external === false ? 'internal' : '-');

/** `fathom-sync people [EMAIL]`: everyone met, or one person's meetings and open action items. */
export async function peopleCommand(email: string | undefined, flags: PeopleFlags, ctx: AppContext): Promise<number> {
  if (flags.external && flags.internal) throw new UsageError('--external and --internal cannot be combined');
  const sort = (flags.sort ?? 'meetings') as PeopleSort;
  if (!SORTS.includes(sort)) throw new UsageError(`--sort "${flags.sort}": use ${SORTS.join(', ')}`);
  if (email !== undefined && !isEmail(email)) throw new UsageError(`"${email}" is not an email address`);
  const limit = flags.limit === undefined ? undefined : parseLimit(flags.limit, 0);
  const reader = await openReaderFor(ctx);
  try {
    const { output } = ctx;
    if (email !== undefined) {
      const [person] = reader.people({ email });
      if (!person) throw new UsageError(`nobody with the address ${email} is in any synced meeting`, { text: 'See everyone met:', commands: ['fathom-sync people'] });
      const meetings = reader.listMeetings({ with: [email] }, limit ?? null);
      const tasks = reader.tasks({ status: 'open', assignee: email }, null);
      if (output.jsonMode) output.json({ person, meetings, open_action_items: tasks });
      else {
        output.result(`${safeLine(person.name ?? person.email)} <${safeLine(person.email)}> · ${side(person.external)} · ${person.meetings} meeting${person.meetings === 1 ? '' : 's'}, ${person.minutes_together} min · ${person.first_met.slice(0, 10)} to ${person.last_met.slice(0, 10)}`);
        output.result(`\n${formatMeetingTable(meetings)}`);
        output.result(tasks.length ? `\nOpen action items:\n${formatTasks(tasks)}` : '\nNo open action items assigned.');
      }
      return ExitCode.ok;
    }
    const people = reader.people({
      ...(flags.external ? { external: true } : flags.internal ? { external: false } : {}),
      ...(flags.domain ? { domain: flags.domain } : {}),
      sort,
      ...(limit ? { limit } : {}),
    });
    if (output.jsonMode) output.json(people);
    else if (people.length === 0) output.result('Nobody matches.');
    else
      output.result(
        renderTable(
          [{ header: 'NAME', max: 30 }, { header: 'EMAIL', max: 36 }, { header: 'COMPANY', max: 24 }, { header: 'SIDE' }, { header: 'MEETINGS', align: 'right' }, { header: 'MINUTES', align: 'right' }, { header: 'FIRST' }, { header: 'LAST' }],
          people.map((p) => [p.name ?? '-', p.email, p.domain ?? '-', side(p.external), p.meetings, p.minutes_together, p.first_met.slice(0, 10), p.last_met.slice(0, 10)]),
        ),
      );
    return ExitCode.ok;
  } finally {
    reader.close();
  }
}
