import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { COPY_TABLES } from '../../src/domain/copy-plan.js';
import { need } from '../helpers/capabilities.js';
import { dbPath, runCli, tempHome, type CliResult } from '../helpers/cli.js';
import { freshPgDatabase, pgQuery, type PgDatabase } from '../helpers/postgres.js';
import { query } from '../helpers/truth.js';

/**
 * `db copy`: a SQLite database synced from the fake Fathom by two profiles, copied into a fresh
 * PostgreSQL database of the test server, compared table by table; a copy killed part way and run
 * again; a copy into a database that syncs into PostgreSQL already wrote to.
 */

const postgres = need('postgresql');

const NOW = '2026-11-20T12:00:00Z';

/** Each table's rows as sorted JSON lines (keys sorted, PostgreSQL's generated search columns left out): equal sets are equal tables. */
type Snapshot = Record<string, string[]>;

function canonical(row: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'search').sort(([a], [b]) => (a < b ? -1 : 1))));
}

function sqliteSnapshot(file: string): Snapshot {
  return Object.fromEntries(COPY_TABLES.map((t) => [t, query<Record<string, unknown>>(file, `SELECT * FROM ${t}`).map(canonical).sort()]));
}

/** A client whose bigints come back as numbers, like better-sqlite3's integers. */
async function pgClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  await client.connect();
  return client;
}

async function pgSnapshot(url: string): Promise<Snapshot> {
  const client = await pgClient(url);
  try {
    const out: Snapshot = {};
    for (const t of COPY_TABLES) out[t] = (await client.query<Record<string, unknown>>(`SELECT * FROM ${t}`)).rows.map(canonical).sort();
    return out;
  } finally {
    await client.end();
  }
}

async function pgRows<R extends Record<string, unknown>>(url: string, sql: string, params?: unknown[]): Promise<R[]> {
  const client = await pgClient(url);
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const json = (r: CliResult) => JSON.parse(r.stdout) as { status: string; batches: number; search_documents: number; tables: { table: string; source_rows: number; copied: number; present: number; superseded: number }[] };
const byTable = (r: CliResult) => Object.fromEntries(json(r).tables.map((t) => [t.table, t]));
const counts = (file: string) => Object.fromEntries(COPY_TABLES.map((t) => [t, query<{ n: number }>(file, `SELECT count(*) AS n FROM ${t}`)[0]!.n]));

describe.skipIf(postgres.skip)(postgres.title('db copy'), () => {
  let server: FakeFathom;
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let source: string;
  let target: PgDatabase;
  const as = (profile: string, extra: NodeJS.ProcessEnv = {}) => ({ ...env, FATHOM_SYNC_PROFILE: profile, ...extra });

  beforeAll(async () => {
    server = await startFakeFathom({ seed: 11, meetingCount: 60, now: Date.parse(NOW), segmentsPerMeeting: [0, 30], pendingFraction: 0.05, rateLimit: false });
    home = tempHome('fathom-sync-db-copy-');
    env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
    source = dbPath(env);
    // Two accounts, several runs each, skipped items among them.
    expect((await runCli(['run', '--all'], as('alice'))).code).toBe(0);
    server.injectFaults({ kind: 'invalid-item', count: 2 });
    expect((await runCli(['run', '--last', '25'], as('bob'))).code).toBe(0);
    server.clearFaults();
    expect((await runCli(['run', '--last', '5'], as('alice'))).code).toBe(0);
    const c = counts(source);
    expect(c.meetings).toBe(60);
    for (const t of ['sync_runs', 'skipped_items', 'account_meetings', 'sync_state', 'transcript_segments', 'action_items', 'highlights', 'contacts', 'teams', 'team_members', 'talk_time_speakers']) {
      expect(c[t], t).toBeGreaterThan(0);
    }
  });
  afterAll(async () => {
    await server?.close();
    home?.cleanup();
  });
  beforeEach(async () => {
    target = await freshPgDatabase('dbcopy');
  });
  afterEach(async () => {
    await target?.drop();
  });

  it('copies every table row for row, builds the search documents, and a second copy writes nothing', async () => {
    const first = await runCli(['db', 'copy', '--to', target.url, '--json'], env);
    expect(first.stderr).toMatch(/^copying .*fathom-sync\.db into postgres:\/\/postgres@127\.0\.0\.1:\d+\/dbcopy_\w+: 60 meetings of alice, bob$/m);
    expect(first.code, first.stderr).toBe(0);
    const c = counts(source);
    for (const t of json(first).tables) expect(t, t.table).toEqual({ table: t.table, source_rows: c[t.table], copied: c[t.table], present: c[t.table], superseded: 0 });
    expect(json(first).search_documents).toBe(0); // every copied meeting got its own in its batch
    expect(await pgSnapshot(target.url)).toEqual(sqliteSnapshot(source));
    expect(await pgRows(target.url, 'SELECT count(*) AS n FROM meeting_search')).toEqual([{ n: 60 }]);

    // The identity sequences are past every copied id: a later insert takes a new one.
    for (const t of ['sync_runs', 'transcript_segments', 'action_items']) {
      const [row] = await pgRows<{ next: number; max: number }>(target.url, `SELECT nextval(pg_get_serial_sequence('${t}', 'id')) AS next, (SELECT max(id) FROM ${t}) AS max`);
      expect(row!.next, t).toBeGreaterThan(row!.max);
    }

    const again = await runCli(['db', 'copy', '--to', target.url, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    for (const t of json(again).tables) expect([t.table, t.copied, t.present]).toEqual([t.table, 0, c[t.table]]);
    expect(await pgSnapshot(target.url)).toEqual(sqliteSnapshot(source));

    // Text output: the counts table on stdout, progress on stderr.
    const text = await runCli(['db', 'copy', '--to', target.url], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^table\s+source rows\s+copied now\s+in target$/m);
    expect(text.stdout).toMatch(new RegExp(`^transcript_segments\\s+${c.transcript_segments}\\s+0\\s+${c.transcript_segments}$`, 'm'));
    expect(text.stderr).toMatch(/^verifying: every source row in the target$/m);

    // A sync into PostgreSQL carries on from the copied state.
    const sync = await runCli(['run', '--incremental', '--db', target.url, '--json'], as('alice'));
    expect(sync.code, sync.stderr).toBe(0);
    const [state] = await pgRows<{ last_run_id: number }>(target.url, "SELECT last_run_id FROM sync_state WHERE account = 'alice'");
    expect(state!.last_run_id).toBe(JSON.parse(sync.stdout).run_id);
    expect(state!.last_run_id).toBeGreaterThan(Math.max(...query<{ id: number }>(source, 'SELECT id FROM sync_runs').map((r) => r.id)));
  });

  it('resumes a copy killed part way through: the same rows, none twice', async () => {
    const killed = await runCli(['db', 'copy', '--to', target.url, '--batch-size', '100'], { ...env, FATHOM_SYNC_COPY_KILL_AFTER_BATCHES: '3' });
    expect(killed.signal).toBe('SIGKILL');
    const [partial] = await pgRows<{ n: number }>(target.url, 'SELECT count(*) AS n FROM meetings');
    expect(partial!.n).toBeGreaterThan(0);
    expect(partial!.n).toBeLessThan(60);
    // Whole meetings only: every meeting there has all its transcript.
    const segments = await pgRows<{ n: number }>(target.url, 'SELECT count(*) AS n FROM transcript_segments');
    const expected = query<{ n: number }>(source, `SELECT count(*) AS n FROM transcript_segments WHERE recording_id IN (${(await pgRows<{ id: number }>(target.url, 'SELECT recording_id AS id FROM meetings')).map((r) => r.id).join(',')})`);
    expect(segments).toEqual(expected);

    const resumed = await runCli(['db', 'copy', '--to', target.url, '--batch-size', '100', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const tables = byTable(resumed);
    expect(tables.meetings).toMatchObject({ source_rows: 60, copied: 60 - partial!.n, present: 60 });
    expect(await pgSnapshot(target.url)).toEqual(sqliteSnapshot(source));
    expect(await pgRows(target.url, 'SELECT count(*) AS n FROM meeting_search')).toEqual([{ n: 60 }]);
  });

  it('brings a run that was still going when copied up to date on the next copy, its skipped items too', async () => {
    const db = new Database(source);
    const run = db.prepare("SELECT id, status, ended_at, items_skipped FROM sync_runs WHERE account = 'bob' ORDER BY id DESC LIMIT 1").get() as { id: number; status: string; ended_at: string; items_skipped: number };
    try {
      db.prepare("UPDATE sync_runs SET status = 'running', ended_at = NULL WHERE id = ?").run(run.id);
      expect((await runCli(['db', 'copy', '--to', target.url, '--quiet'], env)).code).toBe(0);
      expect(await pgRows(target.url, 'SELECT status FROM sync_runs WHERE id = $1', [run.id])).toEqual([{ status: 'running' }]);

      db.prepare('UPDATE sync_runs SET status = ?, ended_at = ?, items_skipped = items_skipped + 1 WHERE id = ?').run(run.status, run.ended_at, run.id);
      db.prepare("INSERT INTO skipped_items (run_id, recording_id, reason) VALUES (?, NULL, 'late item')").run(run.id);
      const again = await runCli(['db', 'copy', '--to', target.url, '--json'], env);
      expect(again.code, again.stderr).toBe(0);
      const tables = byTable(again);
      expect(tables.sync_runs).toMatchObject({ copied: 1 });
      expect(tables.skipped_items).toMatchObject({ copied: run.items_skipped + 1, present: tables.skipped_items!.source_rows });
      expect(await pgSnapshot(target.url)).toEqual(sqliteSnapshot(source));
    } finally {
      db.prepare("DELETE FROM skipped_items WHERE reason = 'late item'").run();
      db.prepare('UPDATE sync_runs SET status = ?, ended_at = ?, items_skipped = ? WHERE id = ?').run(run.status, run.ended_at, run.items_skipped, run.id);
      db.close();
    }
  });

  it('merges into a database that syncs into PostgreSQL wrote first: newer meetings win whole, runs keep their history', async () => {
    // carol syncs the 10 newest meetings straight into PostgreSQL (runs 1 and 2 there, as alice's
    // first run and bob's, with its skipped items, are in SQLite), then alice reads the 4 newest
    // again into SQLite: those are newer in SQLite, the other 6 in PostgreSQL.
    expect((await runCli(['run', '--last', '10', '--db', target.url], as('carol'))).code).toBe(0);
    expect((await runCli(['run', '--last', '2', '--db', target.url], as('carol'))).code).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect((await runCli(['run', '--last', '4'], as('alice'))).code).toBe(0);
    const newest = server.meetings().slice(0, 10).map((m) => m.recording_id);
    const pgBefore = new Map((await pgRows<{ id: number; at: string }>(target.url, 'SELECT recording_id AS id, last_synced_at AS at FROM meetings')).map((r) => [r.id, r.at]));
    const sqliteAt = new Map(query<{ id: number; at: string }>(source, 'SELECT recording_id AS id, last_synced_at AS at FROM meetings').map((r) => [r.id, r.at]));
    const sqliteNewer = newest.filter((id) => sqliteAt.get(id)! > pgBefore.get(id)!);
    expect(sqliteNewer).toHaveLength(4);

    const r = await runCli(['db', 'copy', '--to', target.url, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const tables = byTable(r);
    expect(tables.meetings).toMatchObject({ source_rows: 60, copied: 50 + 4, present: 60 });
    const keptRows = query<{ n: number }>(source, `SELECT count(*) AS n FROM transcript_segments WHERE recording_id IN (${newest.filter((id) => !sqliteNewer.includes(id)).join(',')})`)[0]!.n;
    expect(tables.transcript_segments!.superseded).toBe(keptRows);
    expect(tables.transcript_segments!.present + keptRows).toBe(tables.transcript_segments!.source_rows);

    // Each meeting is one version, whole: its row and its transcript come from the same side.
    const after = new Map((await pgRows<{ id: number; at: string }>(target.url, 'SELECT recording_id AS id, last_synced_at AS at FROM meetings')).map((row) => [row.id, row.at]));
    for (const id of newest) expect(after.get(id)).toBe(sqliteNewer.includes(id) ? sqliteAt.get(id) : pgBefore.get(id));
    const segmentsOf = async (id: number) => (await pgRows(target.url, 'SELECT seq, text, speaker_name FROM transcript_segments WHERE recording_id = $1 ORDER BY seq', [id]));
    for (const id of sqliteNewer) expect(await segmentsOf(id)).toEqual(query(source, 'SELECT seq, text, speaker_name FROM transcript_segments WHERE recording_id = ? ORDER BY seq', id));

    // Every SQLite run is there, carol's too; SQLite's runs 1 and 2 got other ids, their skipped items and sync_state with them.
    const runs = await pgRows<{ account: string; n: number }>(target.url, 'SELECT account, count(*) AS n FROM sync_runs GROUP BY account ORDER BY account');
    const sqliteRuns = query<{ account: string; n: number }>(source, 'SELECT account, count(*) AS n FROM sync_runs GROUP BY account ORDER BY account');
    expect(runs).toEqual([...sqliteRuns, { account: 'carol', n: 2 }].sort((a, b) => (a.account < b.account ? -1 : 1)));
    const [bobRun] = await pgRows<{ id: number }>(target.url, "SELECT id FROM sync_runs WHERE account = 'bob'");
    expect(bobRun!.id).not.toBe(query<{ id: number }>(source, "SELECT id FROM sync_runs WHERE account = 'bob'")[0]!.id);
    const skipped = await pgRows(target.url, 'SELECT r.account, r.started_at, s.recording_id, s.reason FROM skipped_items s JOIN sync_runs r ON r.id = s.run_id ORDER BY 1, 2, 4, 3');
    expect(skipped).toEqual(query(source, 'SELECT r.account, r.started_at, s.recording_id, s.reason FROM skipped_items s JOIN sync_runs r ON r.id = s.run_id ORDER BY 1, 2, 4, 3'));
    const lastRuns = await pgRows(target.url, 'SELECT s.account, r.account AS run_account, r.started_at FROM sync_state s JOIN sync_runs r ON r.id = s.last_run_id ORDER BY 1');
    expect(lastRuns).toEqual([
      ...query<{ account: string; run_account: string; started_at: string }>(source, 'SELECT s.account, r.account AS run_account, r.started_at FROM sync_state s JOIN sync_runs r ON r.id = s.last_run_id ORDER BY 1'),
      (await pgRows(target.url, "SELECT s.account, r.account AS run_account, r.started_at FROM sync_state s JOIN sync_runs r ON r.id = s.last_run_id WHERE s.account = 'carol'"))[0],
    ]);

    // The search documents are the ones a sync into PostgreSQL writes for the same meetings.
    const direct = await freshPgDatabase('dbcopy');
    try {
      expect((await runCli(['run', '--all', '--db', direct.url], as('dave'))).code).toBe(0);
      const docs = async (url: string) => pgQuery(url, 'SELECT recording_id::text AS id, document::text AS doc FROM meeting_search ORDER BY recording_id');
      expect(await docs(target.url)).toEqual(await docs(direct.url));
    } finally {
      await direct.drop();
    }
  });

  it('fails verification, exit 1 with the counts, when the target lost rows of a copied meeting', async () => {
    const quiet = await runCli(['db', 'copy', '--to', target.url, '--quiet'], env);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, '', '']);
    const [victim] = await pgRows<{ id: number; n: number }>(target.url, 'SELECT recording_id AS id, count(*) AS n FROM transcript_segments GROUP BY recording_id ORDER BY recording_id LIMIT 1');
    await pgQuery(target.url, 'DELETE FROM transcript_segments WHERE recording_id = $1', [victim!.id]);
    const r = await runCli(['db', 'copy', '--to', target.url, '--json'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^fathom-sync: the copy in postgres://\\S+ is incomplete: transcript_segments lacks ${victim!.n} of \\d+ rows$`, 'm'));
    const failure = JSON.parse(r.stdout) as { status: string; exit_code: number; tables: { table: string; present: number; source_rows: number }[] };
    expect(failure).toMatchObject({ status: 'failed', exit_code: 1 });
    const segs = failure.tables.find((t) => t.table === 'transcript_segments')!;
    expect(segs.source_rows - segs.present).toBe(victim!.n);
  });

  it('holds its lock and the accounts\' sync locks: a sync running into the target refuses the copy (exit 6)', async () => {
    expect((await runCli(['db', 'copy', '--to', target.url, '--quiet'], env)).code).toBe(0);
    const holder = new pg.Client({ connectionString: target.url, application_name: 'a sync of bob' });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtextextended('fathom-sync:account:bob', 0))");
      const r = await runCli(['db', 'copy', '--to', target.url], env);
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/^fathom-sync: a sync of profile bob is running into postgres:\/\/\S+ \(a sync of bob[^)]*\); db copy waits for no sync$/m);
      await holder.query('SELECT pg_advisory_unlock_all()');
      await holder.query("SELECT pg_advisory_lock(hashtextextended('fathom-sync:db-copy', 0))");
      const second = await runCli(['db', 'copy', '--to', target.url], env);
      expect(second.code).toBe(6);
      expect(second.stderr).toMatch(/another db copy into postgres:\/\/\S+ is running/);
    } finally {
      await holder.end();
    }
  });

  it('never prints a password, and refuses a --to or a source it cannot use with exit 2 and one line', async () => {
    const secret = 'hunter2-Secret';
    const withPassword = (url: string) => {
      const u = new URL(url);
      u.password = secret;
      return u.toString();
    };
    // Trust authentication ignores the password: the copy works, and prints the target without it.
    const ok = await runCli(['db', 'copy', '--to', withPassword(target.url)], env);
    expect(ok.code, ok.stderr).toBe(0);
    const okJson = await runCli(['db', 'copy', '--to', withPassword(target.url), '--json'], env);
    expect(JSON.parse(okJson.stdout).target).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/dbcopy_/);
    // A database that does not exist, and a server that is not there.
    const missing = new URL(withPassword(target.url));
    missing.pathname = '/no_such_database';
    const down = new URL(withPassword(target.url));
    down.port = '1';
    const failures = [await runCli(['db', 'copy', '--to', missing.toString()], env), await runCli(['db', 'copy', '--to', down.toString(), '--json'], env)];
    expect(failures.map((f) => f.code)).toEqual([1, 5]);
    for (const r of [ok, okJson, ...failures]) {
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
    expect(failures[0]!.stderr).toMatch(/postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/no_such_database/);

    const bad = [
      await runCli(['db', 'copy', '--to', `mysql://root:${secret}@localhost/db`], env),
      await runCli(['db', 'copy', '--to', `${secret}@localhost`], env),
      await runCli(['db', 'copy'], env),
      await runCli(['db', 'copy', '--to', target.url, '--db', withPassword(target.url)], env),
      await runCli(['db', 'copy', '--to', target.url, '--batch-size', '0'], env),
    ];
    for (const r of bad) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
    for (const r of bad.slice(0, 3)) expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(bad[0]!.stderr).toBe('fathom-sync: --to must be a PostgreSQL connection string: postgres://USER@HOST/DATABASE\n');
    expect(bad[3]!.stderr).toMatch(/^fathom-sync: db copy reads a SQLite database, and the database named .* is postgres:\/\/postgres:\*\*\*@/);
  });
});
