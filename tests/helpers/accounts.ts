import { expect } from 'vitest';
import type { FullMeeting } from '../../src/fake-server/server.js';
import { runCli } from './cli.js';
import type { Target, TestDatabase } from './targets.js';

/**
 * Several Fathom accounts (profiles) syncing into one database: each with its own key of the same
 * fake server, its own run arguments and the meetings that run must leave it seeing.
 */
export interface AccountRun {
  profile: string;
  key: string;
  /** The `run` arguments (a mode). */
  args: string[];
  /** The meetings this run must store for the account, newest first as the server lists them. */
  truth: FullMeeting[];
}

const DAY_MS = 24 * 3600_000;
const dayOf = (m: FullMeeting) => m.created_at.slice(0, 10);
/** Meetings created from the start of day `since` to the end of day `until` (open-ended without it), as --since/--until take them. */
const createdBetween = (since: string, until: string | null) => (m: FullMeeting) =>
  Date.parse(m.created_at) >= Date.parse(`${since}T00:00:00Z`) && (until === null || Date.parse(m.created_at) < Date.parse(`${until}T00:00:00Z`) + DAY_MS);

/** alice and bob (keys alice-key, bob-key) both reading every meeting. */
export function sameMeetings(all: FullMeeting[]): AccountRun[] {
  return [
    { profile: 'alice', key: 'alice-key', args: ['--all'], truth: all },
    { profile: 'bob', key: 'bob-key', args: ['--all'], truth: all },
  ];
}

/**
 * alice and bob seeing partly the same meetings (`all` newest first, indexes into it): alice from
 * the day of the meeting at `middle` on, bob from the day of `older` to the day of `newer`.
 */
export function partlySameMeetings(all: FullMeeting[], { newer, middle, older }: { newer: number; middle: number; older: number }): AccountRun[] {
  const [from, to, since] = [dayOf(all[older]!), dayOf(all[newer]!), dayOf(all[middle]!)];
  return [
    { profile: 'alice', key: 'alice-key', args: ['--since', since], truth: all.filter(createdBetween(since, null)) },
    { profile: 'bob', key: 'bob-key', args: ['--since', from, '--until', to], truth: all.filter(createdBetween(from, to)) },
  ];
}

/** Pages the account's running run has committed (-1 before its run row exists, or after it ended). */
export async function pagesCommitted(db: TestDatabase, account = 'default'): Promise<number> {
  return (await db.rows<{ pages: number }>("SELECT pages FROM sync_runs WHERE account = ? AND status = 'running'", account))[0]?.pages ?? -1;
}

/** The meetings two accounts both see. */
export function sharedMeetings(accounts: AccountRun[]): FullMeeting[] {
  const [first, ...others] = accounts;
  return first!.truth.filter((m) => others.every((o) => o.truth.some((n) => n.recording_id === m.recording_id)));
}

/** The environment of one account's run: its profile and key, everything else from `env`. */
export function accountEnv(env: NodeJS.ProcessEnv, account: AccountRun, apiUrl: string): NodeJS.ProcessEnv {
  return { ...env, FATHOM_SYNC_PROFILE: account.profile, FATHOM_API_KEY: account.key, FATHOM_API_URL: apiUrl };
}

/** The meetings of all the accounts, each once, newest first. */
export function unionOf(all: FullMeeting[], accounts: AccountRun[]): FullMeeting[] {
  const ids = new Set(accounts.flatMap((a) => a.truth.map((m) => m.recording_id)));
  return all.filter((m) => ids.has(m.recording_id));
}

/**
 * What the accounts' runs, in whatever interleaving, must have left: each meeting once with its
 * child rows once, each account seeing exactly its meetings, one sync_state row and one successful
 * run per account, every meeting counted new by exactly one of the runs and updated by none.
 */
export async function expectAccountsSynced(db: TestDatabase, all: FullMeeting[], accounts: AccountRun[]): Promise<void> {
  const union = unionOf(all, accounts);
  await db.expectConsistent();
  await db.expectMatches(union);
  for (const a of accounts) {
    const seen = await db.rows<{ recording_id: number }>('SELECT recording_id FROM account_meetings WHERE account = ? ORDER BY recording_id', a.profile);
    expect(seen.map((r) => r.recording_id), `meetings ${a.profile} sees`).toEqual(a.truth.map((m) => m.recording_id).sort((x, y) => x - y));
  }
  const profiles = accounts.map((a) => a.profile).sort();
  expect((await db.rows<{ account: string }>('SELECT account FROM sync_state ORDER BY account')).map((r) => r.account)).toEqual(profiles);
  const runs = await db.rows<{ account: string; status: string; meetings_new: number; meetings_updated: number }>('SELECT account, status, meetings_new, meetings_updated FROM sync_runs ORDER BY account, id');
  expect(runs.map((r) => [r.account, r.status, r.meetings_updated])).toEqual(profiles.map((p) => [p, 'ok', 0]));
  expect(runs.reduce((n, r) => n + r.meetings_new, 0), 'meetings counted new').toBe(union.length);
}

/** The accounts synced one after the other into a fresh database of `target`: what any interleaving must equal. */
export async function sequentialSnapshot(target: Target, env: NodeJS.ProcessEnv, accounts: AccountRun[], apiUrl: string): Promise<Record<string, unknown[]>> {
  const db = await target.fresh(env);
  for (const a of accounts) {
    const r = await runCli(['run', ...a.args], accountEnv(db.env, a, apiUrl));
    expect(r.code, r.stderr).toBe(0);
  }
  return db.snapshot();
}
