import crypto from 'node:crypto';
import pg from 'pg';
import { PG_URL_VARIABLE } from './capabilities.js';

/**
 * Throwaway databases on the PostgreSQL server the test command starts (scripts/test.mjs puts its URL
 * in FATHOM_SYNC_TEST_PG_URL: user postgres, trust authentication, 127.0.0.1; its Unix socket
 * directory is in FATHOM_SYNC_TEST_PG_SOCKET_DIR). A suite asks for the capability first, so it
 * skips with the reason when there is no server, and fails when the test command promised one:
 *
 *   const postgres = need('postgresql');
 *   describe.skipIf(postgres.skip)(postgres.title('the PostgreSQL store'), () => {
 *     let db: PgDatabase;
 *     beforeEach(async () => { db = await freshPgDatabase('store'); });
 *     afterEach(() => db.drop());
 *     it('...', async () => { expect(await pgQuery(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]); });
 *   });
 *
 * Each database has a name of its own (prefix, pid, counter, random), so test files running at once
 * never meet; the server allows 200 connections in all.
 */

export interface PgDatabase {
  /** postgres://postgres@127.0.0.1:PORT/NAME */
  url: string;
  name: string;
  /** Ends every connection to it (a test's leftover ones too) and drops it. */
  drop(): Promise<void>;
}

let counter = 0;

/** The server's URL (its `postgres` database), or an error saying how to get one. */
export function pgServerUrl(): string {
  const url = process.env[PG_URL_VARIABLE];
  if (!url) throw new Error(`${PG_URL_VARIABLE} is not set: run the tests with npm test, which starts a throwaway PostgreSQL server (or ask need('postgresql') first)`);
  return url;
}

/** Creates an empty database with a unique name on the test server. */
export async function freshPgDatabase(prefix = 't'): Promise<PgDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,30}$/.test(prefix)) throw new Error(`freshPgDatabase: prefix ${JSON.stringify(prefix)} is not a short lower-case identifier`);
  const name = `${prefix}_${process.pid}_${++counter}_${crypto.randomBytes(4).toString('hex')}`;
  const server = pgServerUrl();
  // template0: CREATE DATABASE fails while anyone else is connected to its template (template1 by default).
  await pgQuery(server, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await pgQuery(server, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      // WITH (FORCE): a connection opened since the line above is ended too.
      await pgQuery(server, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
  };
}

/** Opens a connection to `url`, runs one statement, closes it; resolves with the rows. */
export async function pgQuery<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
