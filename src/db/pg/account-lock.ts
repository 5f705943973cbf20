import type { Clock } from '../../core/clock.js';
import { AlreadyRunningError } from '../../core/errors.js';
import type { PgClient } from './connection.js';

/**
 * One sync of an account at a time, on every machine that syncs into the database: a session
 * advisory lock on the key of `fathom-sync:account:<name>`, held by the run's connection. It goes
 * when the connection does (kill -9, a crash, a lost network), so nothing is ever left stale.
 */

const lockName = (account: string) => `fathom-sync:account:${account}`;

/** Who holds an account's lock, as pg_stat_activity tells: the application_name of its connection and since when. */
export interface PgLockHolder {
  applicationName: string;
  clientAddr: string | null;
  since: string;
}

export function describeHolder(h: PgLockHolder): string {
  return `${h.applicationName || 'another connection'}${h.clientAddr ? ` from ${h.clientAddr}` : ''} since ${h.since}`;
}

/** The holder of the account's lock, or null when it is free (or its holder cannot be seen). */
export function accountLockHolder(client: PgClient, account: string): Promise<PgLockHolder | null> {
  return advisoryLockHolder(client, lockName(account));
}

/** The holder of the session advisory lock on the key of `name` (another connection), or null. */
export async function advisoryLockHolder(client: PgClient, name: string): Promise<PgLockHolder | null> {
  const r = await client.query<{ application_name: string; client_addr: string | null; since: string }>(
    `WITH k AS (SELECT hashtextextended($1, 0) AS key)
     SELECT a.application_name, a.client_addr::text AS client_addr, to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid, k
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = ((k.key >> 32) & 4294967295)::oid AND l.objid = (k.key & 4294967295)::oid
        AND l.pid <> pg_backend_pid()
      LIMIT 1`,
    [name],
  );
  const row = r.rows[0];
  return row ? { applicationName: row.application_name, clientAddr: row.client_addr, since: row.since } : null;
}

/** Takes the account's lock if it is free (held until unlockAccount or the connection ends). */
export function tryLockAccount(client: PgClient, account: string): Promise<boolean> {
  return tryAdvisoryLock(client, lockName(account));
}

/** A session advisory lock on the key of `name`, if no other connection holds it. */
export async function tryAdvisoryLock(client: PgClient, name: string): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [name]);
  return r.rows[0]!.ok;
}

export async function unlockAccount(client: PgClient, account: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName(account)]);
}

/**
 * Takes the account's lock: AlreadyRunningError (exit 6) when another sync holds it, or, with
 * `wait`, looks again every `pollMs` until it is free (the user's stop ends the wait).
 */
export async function lockAccount(
  client: PgClient,
  account: string,
  options: { wait: boolean; signal: AbortSignal; clock: Clock; onWait: (holder: string) => void; pollMs?: number },
): Promise<void> {
  let told = false;
  for (;;) {
    if (await tryLockAccount(client, account)) return;
    const holder = await accountLockHolder(client, account);
    const who = holder ? describeHolder(holder) : 'another connection';
    if (!options.wait) {
      throw new AlreadyRunningError(`a sync of profile ${account} is already running into this database (${who})`, 'wait for it to finish, or pass --wait');
    }
    if (!told) options.onWait(who);
    told = true;
    // The user's stop (the signal's reason is the InterruptedError) ends the wait.
    options.signal.throwIfAborted();
    await options.clock.sleep(options.pollMs ?? 1000, options.signal);
  }
}
