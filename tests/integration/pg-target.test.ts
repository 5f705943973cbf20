import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { openDatabase } from '../../src/db/database.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { need } from '../helpers/capabilities.js';
import { freshPgDatabase, type PgDatabase } from '../helpers/postgres.js';
import { connectPg } from '../../src/db/pg/connection.js';

/** Rows as fathom-sync reads them (bigint as numbers), through its own connection code. */
async function pgQuery<R = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = await connectPg(url, { purpose: 'test' });
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL as a storage target, against a real server (the test command starts one): its schema
 * is SQLite's, column for column; a sync stores exactly what the same sync stores in SQLite; the
 * connection string's password is never shown or stored; a database that is not ours is refused.
 */

const NOW = '2026-11-20T12:00:00Z';
const postgres = need('postgresql');

/** Columns whose values are the moment a sync ran (or a row id): they differ between any two syncs. */
const WHEN = new Set([
  'first_synced_at', 'last_synced_at', 'last_changed_at', 'content_checked_at', 'first_seen_at', 'last_seen_at',
  'synced_at', 'last_success_at', 'last_error_at', 'teams_synced_at', 'started_at', 'ended_at', 'pid', 'duration_ms', 'search',
  'last_run_id', 'run_id', 'id',
]);

/** Tables and their key order, for comparing a whole database row by row. */
const TABLES: Record<string, string> = {
  meetings: 'recording_id',
  meeting_attendees: 'recording_id, seq',
  transcript_segments: 'recording_id, seq',
  action_items: 'recording_id, seq',
  highlights: 'recording_id, seq',
  contacts: 'lower(email)',
  talk_time: 'recording_id',
  talk_time_speakers: 'recording_id, seq',
  teams: 'name',
  team_members: 'team, lower(email)',
  account_meetings: 'account, recording_id',
  sync_state: 'account',
  sync_runs: 'id',
  skipped_items: 'recording_id, reason',
};

const stable = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !WHEN.has(k))));

function sqliteRows(file: string, table: string): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY ${TABLES[table]}`).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe.skipIf(postgres.skip)(postgres.title('PostgreSQL target'), () => {
  let server: FakeFathom;
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let target: PgDatabase;

  beforeAll(async () => {
    server = await startFakeFathom({ seed: 11, meetingCount: 70, now: Date.parse(NOW), segmentsPerMeeting: [0, 30], pendingFraction: 0.05 });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    home = tempHome();
    env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
    target = await freshPgDatabase('target');
    server.resetRateLimits();
  });
  afterEach(async () => {
    await target.drop();
    home.cleanup();
  });

  it('has the same tables and columns as the SQLite schema (types and NOT NULL in the same family)', async () => {
    const sync = await runCli(['run', '--last', '1', '--db', target.url], env);
    expect(sync.code).toBe(0);
    const file = `${home.home}/schema.db`;
    (await openDatabase(file)).close();
    const lite = new Database(file, { readonly: true });
    const family = (type: string) => (/INT/i.test(type) ? 'integer' : /REAL|DOUBLE/i.test(type) ? 'real' : 'text');
    const sqlite: Record<string, string[]> = {};
    try {
      const tables = lite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%_fts_%'").pluck().all() as string[];
      for (const t of tables) {
        const cols = lite.prepare(`PRAGMA table_info(${t})`).all() as { name: string; type: string; notnull: number; pk: number }[];
        // A primary key column is never NULL in either (SQLite's INTEGER PRIMARY KEY is the rowid).
        sqlite[t] = cols.map((c) => `${c.name} ${family(c.type)}${c.notnull || c.pk > 0 ? ' not null' : ''}`).sort();
      }
    } finally {
      lite.close();
    }
    const pgCols = await pgQuery<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      target.url,
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name NOT IN ('schema_migrations', 'meeting_search') AND column_name <> 'search'`,
    );
    const pgFamily = (type: string) => (/int/.test(type) ? 'integer' : /double|real|numeric/.test(type) ? 'real' : 'text');
    const pgSchema: Record<string, string[]> = {};
    for (const c of pgCols) (pgSchema[c.table_name] ??= []).push(`${c.column_name} ${pgFamily(c.data_type)}${c.is_nullable === 'NO' ? ' not null' : ''}`);
    for (const t of Object.keys(pgSchema)) pgSchema[t]!.sort();
    expect(pgSchema).toEqual(sqlite);
    expect(await pgQuery(target.url, 'SELECT version FROM schema_migrations')).toEqual([{ version: 6 }]);
    // Full-text search on tsvector with GIN indexes.
    const gin = await pgQuery<{ indexname: string }>(target.url, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexdef LIKE '%USING gin%' ORDER BY 1");
    expect(gin.map((r) => r.indexname)).toEqual(['action_items_search', 'meeting_search_document', 'meetings_search', 'transcript_segments_search']);
  });

  it('a sync stores in PostgreSQL exactly what the same sync stores in SQLite; a second run changes nothing', async () => {
    const intoPg = await runCli(['run', '--all', '--json', '--db', target.url], env);
    expect(intoPg.code).toBe(0);
    server.resetRateLimits();
    const intoSqlite = await runCli(['run', '--all', '--json'], env);
    expect(intoSqlite.code).toBe(0);
    const file = dbPath(env);
    for (const table of Object.keys(TABLES)) {
      const pgRows = await pgQuery<Record<string, unknown>>(target.url, `SELECT * FROM ${table} ORDER BY ${TABLES[table]}`);
      expect(stable(pgRows), table).toEqual(stable(sqliteRows(file, table)));
    }
    expect((await pgQuery(target.url, 'SELECT count(*) AS n FROM meetings'))[0]).toEqual({ n: 70 });
    // Each meeting has its search document; a word of a title finds its meeting.
    expect((await pgQuery(target.url, 'SELECT count(*) AS n FROM meeting_search'))[0]).toEqual({ n: 70 });
    const [first] = await pgQuery<{ recording_id: number; title: string }>(target.url, "SELECT recording_id, title FROM meetings WHERE title ~ '^[A-Za-z]' ORDER BY recording_id LIMIT 1");
    const word = first!.title.split(/[^\p{L}]+/u).find((w) => w.length >= 3)!;
    const hits = await pgQuery<{ recording_id: number }>(target.url, "SELECT recording_id FROM meetings WHERE search @@ plainto_tsquery('simple', $1)", [word]);
    expect(hits.map((h) => h.recording_id)).toContain(first!.recording_id);

    server.resetRateLimits();
    const again = JSON.parse((await runCli(['run', '--all', '--json', '--db', target.url], env)).stdout) as Record<string, unknown>;
    expect(again).toMatchObject({ status: 'ok', meetings_new: 0, meetings_updated: 0, meetings_seen: 70 });
    expect((await pgQuery(target.url, 'SELECT count(*) AS n FROM transcript_segments'))[0]).toEqual((await pgQuery(target.url, 'SELECT coalesce(sum(transcript_segment_count), 0) AS n FROM meetings'))[0]);
  });

  it('never shows or stores the password of the connection string; FATHOM_SYNC_DB names the target too', async () => {
    const withPassword = target.url.replace('postgres@', 'postgres:s3cr3t-pw@');
    const r = await runCli(['run', '--last', '3', '--json'], { ...env, FATHOM_SYNC_DB: withPassword });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('s3cr3t-pw');
    const stored = await pgQuery<Record<string, unknown>>(target.url, 'SELECT * FROM sync_runs');
    expect(JSON.stringify(stored)).not.toContain('s3cr3t-pw');
    expect(stored).toHaveLength(1);
    const refused = await runCli(['list', '--db', withPassword], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain('s3cr3t-pw');
    expect(refused.stderr).toMatch(/^fathom-sync: read commands work on a SQLite database; postgres:\/\/postgres:\*\*\*@/);
  });

  it('refuses a database that holds tables of its own, and says when the server is not there (exit 5)', async () => {
    await pgQuery(target.url, 'CREATE TABLE meetings (id int)');
    const foreign = await runCli(['run', '--db', target.url], env);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr.split('\n')[0]).toMatch(/holds tables that are not fathom-sync's/);
    expect(await pgQuery(target.url, "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()")).toEqual([{ n: 1 }]);

    const closedPort = target.url.replace(/:\d+\//, ':1/');
    const down = await runCli(['run', '--db', closedPort], env);
    expect(down.code).toBe(5);
    expect(down.stderr.split('\n')[0]).toMatch(/^fathom-sync: cannot reach the PostgreSQL database postgres:\/\/postgres@127\.0\.0\.1:1\//);
  });
});
