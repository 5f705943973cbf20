import os from 'node:os';
import pg from 'pg';
import { DatabaseError, DatabaseUnreachableError } from '../../core/errors.js';
import { redactUrlPassword } from '../../core/database-target.js';

/**
 * Connections to a PostgreSQL target. The connection string may name user, host, port and
 * database; its password, if someone put one there, is never shown: every message names the
 * target by `describePgTarget`. PGPASSWORD or ~/.pgpass (both read by `pg` itself) are where a
 * password belongs, so nothing secret is in a crontab line, a config file or the run history.
 */

export type PgClient = pg.Client;

/** The connection string with any password replaced by `***`: the only form that is ever shown. */
export const describePgTarget = redactUrlPassword;

/** Whether the connection string itself carries a password (README: use PGPASSWORD or ~/.pgpass). */
export function pgUrlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/** Removes a password from anything that might be printed (a driver message echoing the URL). */
export function redactPgSecrets(text: string, url: string): string {
  let out = text;
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) out = out.split(password).join('***');
  } catch {
    // nothing to hide
  }
  return out.split(url).join(describePgTarget(url));
}

/**
 * bigint (int8) and numeric columns come back as numbers: recording ids and counts are exact
 * integers within 2^53 (the API's ids are), and anything beyond that is refused, not rounded.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) {
      return (value: string) => {
        const n = Number(value);
        if (!Number.isSafeInteger(n)) throw new DatabaseError(`a stored integer (${value}) is beyond what fathom-sync can read exactly`);
        return n;
      };
    }
    if (oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** application_name: who holds a connection (and so an account's lock), as pg_stat_activity shows it. */
export function applicationName(purpose: string, account?: string): string {
  const who = `fathom-sync ${purpose}${account ? ` ${account}` : ''} pid ${process.pid} on ${os.hostname()}`;
  return who.slice(0, 63);
}

/**
 * Codes that say the server is not there, or went away: down, restarting, starting up, full of
 * connections, the network (SQLSTATE classes 08 and 57, and the socket's own errors).
 */
export const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006',
]);

/** The driver's words for a connection that ended under it. */
export const CONNECTION_ENDED = /Connection terminated|Client has encountered a connection error|not queryable/i;

const LOGIN_FIX = 'put the password in ~/.pgpass (or PGPASSWORD), never in the connection string: https://www.postgresql.org/docs/current/libpq-pgpass.html';

/** Connection problems: the server is not there (exit 5, tried again next hour) or refuses us (exit 1, with the fix). */
export function connectionFailure(err: unknown, url: string): Error | null {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  const where = describePgTarget(url);
  const text = redactPgSecrets(e?.message ?? String(err), url);
  if (UNREACHABLE_CODES.has(code) || CONNECTION_ENDED.test(e?.message ?? '')) {
    return new DatabaseUnreachableError(where, `cannot reach the PostgreSQL database ${where}: ${text}`, 'check that the server is running and reachable; doctor shows the target: fathom-sync doctor');
  }
  if (code === '28P01' || code === '28000' || /password authentication|no password supplied|SASL/i.test(e?.message ?? '')) {
    return new DatabaseError(`PostgreSQL refused the login to ${where}: ${text}`, LOGIN_FIX);
  }
  if (code === '3D000') return new DatabaseError(`the PostgreSQL database in ${where} does not exist`, 'create it first: createdb (or CREATE DATABASE), then run again');
  if (code === '42501') {
    return new DatabaseError(`PostgreSQL user lacks a permission on ${where}: ${text}`, 'grant the user CREATE on the database (migrations create the tables), or run fathom-sync as its owner');
  }
  return null;
}

/** A connected client, or the typed error that says why not. */
export async function connectPg(url: string, options: { purpose: string; account?: string; connectTimeoutMs?: number }): Promise<PgClient> {
  const client = new pg.Client({
    connectionString: url,
    application_name: applicationName(options.purpose, options.account),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types,
  });
  // A connection that drops while idle must not crash the process: the next query fails, typed.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw connectionFailure(err, url) ?? new DatabaseUnreachableError(describePgTarget(url), `cannot connect to the PostgreSQL database ${describePgTarget(url)}: ${redactPgSecrets((err as Error).message, url)}`, 'fathom-sync doctor');
  }
  return client;
}
