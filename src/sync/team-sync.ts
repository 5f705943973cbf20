import type { Clock } from '../core/clock.js';
import type { OutputHost } from '../core/output.js';
import { AuthRequiredError, InterruptedError, errorMessage } from '../core/errors.js';
import type { FathomClient } from '../api/client.js';
import { DAY_MS, toIso } from '../domain/time.js';
import type { TeamMemberRecord, TeamTarget } from '../db/sync-target.js';

/**
 * Fathom's teams and their members, read at most once a day (a couple of light calls): with
 * them, a speaker whom no calendar invite describes is still known to be internal. A failure
 * here never fails the sync: the old list is kept and the next run tries again. A rejected
 * credential or the user's Ctrl-C still end the run.
 */
export async function refreshTeamsIfDue(args: { client: FathomClient; teams: TeamTarget; clock: Clock; output: Pick<OutputHost, 'warn' | 'info'>; signal: AbortSignal }): Promise<'refreshed' | 'fresh' | 'failed'> {
  const now = args.clock.now();
  const last = await args.teams.syncedAt();
  if (last !== null && now - Date.parse(last) < DAY_MS) return 'fresh';
  try {
    const teams = await args.client.teams(args.signal);
    const members: TeamMemberRecord[] = [];
    for (const team of teams) {
      for (const m of await args.client.teamMembers(team.name, args.signal)) members.push({ team: team.name, email: m.email, name: m.name, created_at: m.created_at });
    }
    const { membersChanged } = await args.teams.replace(teams, members, toIso(now));
    if (membersChanged) args.output.info(`team members updated (${members.length} in ${teams.length} team${teams.length === 1 ? '' : 's'}); talk time worked out again`);
    return 'refreshed';
  } catch (err) {
    if (err instanceof AuthRequiredError || err instanceof InterruptedError || args.signal.aborted) throw err;
    args.output.warn(`could not read Fathom's teams (${errorMessage(err)}); talk time keeps the team members read earlier, and the next run tries again`);
    return 'failed';
  }
}
