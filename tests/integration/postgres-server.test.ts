import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { need } from '../helpers/capabilities.js';
import { freshPgDatabase, pgQuery, type PgDatabase } from '../helpers/postgres.js';

/** The PostgreSQL server the test command starts, and the throwaway databases the tests make on it. */

const postgres = need('postgresql');

describe.skipIf(postgres.skip)(postgres.title('the test PostgreSQL server'), () => {
  let db: PgDatabase;
  beforeEach(async () => {
    db = await freshPgDatabase('infra');
  });
  afterEach(async () => {
    await db?.drop();
  });

  it('gives each test an empty database of its own, which stores and returns rows', async () => {
    expect(db.name).toMatch(new RegExp(`^infra_${process.pid}_\\d+_[0-9a-f]{8}$`));
    expect(await pgQuery(db.url, 'SELECT current_database() AS name')).toEqual([{ name: db.name }]);
    expect(await pgQuery(db.url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).toEqual([{ n: 0 }]);

    await pgQuery(db.url, 'CREATE TABLE meetings (id bigint PRIMARY KEY, title text NOT NULL)');
    await pgQuery(db.url, 'INSERT INTO meetings (id, title) VALUES ($1, $2), ($3, $4)', [2, 'Ünïcode ✓ stand-up', '9007199254740993', 'big id']);
    expect(await pgQuery(db.url, 'SELECT id, title FROM meetings ORDER BY id')).toEqual([
      { id: '2', title: 'Ünïcode ✓ stand-up' }, // bigint comes back as a string (pg's default)
      { id: '9007199254740993', title: 'big id' },
    ]);
  });

  it('holds an advisory lock for one connection only, until it lets go', async () => {
    const first = new pg.Client({ connectionString: db.url });
    const second = new pg.Client({ connectionString: db.url });
    await first.connect();
    await second.connect();
    try {
      const tryLock = async (c: pg.Client) => (await c.query<{ got: boolean }>('SELECT pg_try_advisory_lock(42) AS got')).rows[0]!.got;
      expect(await tryLock(first)).toBe(true);
      expect(await tryLock(second)).toBe(false);
      await first.query('SELECT pg_advisory_unlock(42)');
      expect(await tryLock(second)).toBe(true);
    } finally {
      await first.end();
      await second.end();
    }
  });

  it('drops the database, even with a connection still open to it', async () => {
    const left = new pg.Client({ connectionString: db.url });
    left.on('error', () => {}); // the server ends it
    await left.connect();
    const other = await freshPgDatabase('infra');
    await other.drop();
    await db.drop();
    expect(await pgQuery(process.env.FATHOM_SYNC_TEST_PG_URL!, 'SELECT datname FROM pg_database WHERE datname = ANY($1)', [[db.name, other.name]])).toEqual([]);
    await left.end().catch(() => {});
  });
});
