import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { SyncStore, type ProcessProbe } from '../../src/db/sync-store.js';
import { readSyncState } from '../../src/db/sync-state.js';
import { MeetingSchema } from '../../src/api/schemas.js';
import type { RunCounters } from '../../src/domain/counters.js';
import { DatabaseError } from '../../src/core/errors.js';
import { meetingPayload } from '../helpers/meetings.js';
import { SCHEMA_VERSION } from '../../src/db/migrate.js';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';

/** A database as version 2 of fathom-sync made it (its schema.sql, kept as a fixture), with one meeting written the way v2 wrote it. */
function versionTwoDatabase(file: string): void {
  const db = new Database(file);
  db.exec(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'schema-v2.sql'), 'utf8'));
  const m = meetingPayload(7);
  db.prepare(`INSERT INTO meetings (recording_id, title, meeting_title, created_at, recording_start_time, recording_end_time, duration_seconds, summary_markdown,
    attendee_count, transcript_segment_count, action_item_count, has_summary, has_transcript, content_complete, raw_json, payload_sha256, first_synced_at, last_synced_at, last_changed_at)
    VALUES (7, 'Meeting 7', 'Calendar 7', '2026-11-01T10:00:00Z', '2026-11-01T09:00:00Z', '2026-11-01T09:30:00Z', 1800, '## Summary\nBudgets.', 2, 2, 1, 1, 1, 1, ?, 'sha', 'x', 'x', 'x')`).run(JSON.stringify(m));
  db.prepare(`INSERT INTO action_items (recording_id, seq, description, completed, assignee_name, assignee_email) VALUES (7, 0, 'Send proposal', 0, 'Me', 'me@acme.example')`).run();
  db.prepare(`INSERT INTO meeting_attendees (recording_id, seq, name, email, email_domain, is_external) VALUES (7, 0, 'Zoë Ångström', 'zoe@client.example', 'client.example', 1)`).run();
  db.prepare(`UPDATE sync_state SET bookmark = '2026-11-01T00:00:00Z' WHERE id = 1`).run();
  db.close();
}

let dir: string;
let db: Db;
let store: SyncStore;
const progress = (): RunCounters => ({ pages: 1, requests: 1, retries: 0, rateLimited: 0, meetingsSeen: 0, meetingsNew: 0, meetingsUpdated: 0, itemsSkipped: 0 });
const run = { trigger: 'manual', mode: 'all', windowStart: null, windowEnd: null, filters: {}, pid: 100 } as const;
/** This process is pid 100; every other pid is dead. */
const processes: ProcessProbe = { pid: 100, isProcessAlive: (pid) => pid === 100 };
const incoming = (raw: Record<string, unknown>) => ({ meeting: MeetingSchema.parse(raw), raw });
const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-store-'));
  db = await openDatabase(path.join(dir, 'sub', 'test.db'));
  store = new SyncStore(db);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates the file 0600 in a 0700 directory, in WAL mode, at the current schema version', () => {
    const file = path.join(dir, 'sub', 'test.db');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('refuses a file that is not SQLite, without changing it', async () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'hello, this is not a database');
    await expect(openDatabase(file)).rejects.toThrow(/not a SQLite database/);
    expect(fs.readFileSync(file, 'utf8')).toBe('hello, this is not a database');
  });

  it('refuses a database from a newer schema version, without writing to it', async () => {
    const file = path.join(dir, 'newer.db');
    const first = await openDatabase(file);
    first.pragma('user_version = 99');
    first.pragma('journal_mode = DELETE');
    first.close();
    const before = fs.readFileSync(file);
    await expect(openDatabase(file)).rejects.toBeInstanceOf(DatabaseError);
    await expect(openDatabase(file)).rejects.toThrow(/schema version 99/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});

describe('migrations', () => {
  it('carries a version 1 database forward to the current version with its data', async () => {
    const file = path.join(dir, 'v1.db');
    versionTwoDatabase(file);
    // What version 1 looked like: version 2 without the backfill columns.
    const v1 = new Database(file);
    v1.exec('ALTER TABLE sync_state DROP COLUMN backfill_from; ALTER TABLE sync_state DROP COLUMN backfill_before; PRAGMA user_version = 1');
    v1.close();

    const migrated = await openDatabase(file);
    try {
      expect(migrated.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const store = new SyncStore(migrated);
      expect(migrated.prepare('SELECT COUNT(*) FROM meetings').pluck().get()).toBe(1);
      expect(store.state().bookmark).toBe('2026-11-01T00:00:00.000Z');
      expect(store.pendingBackfill()).toBeNull();
      expect(migrated.prepare("SELECT COUNT(*) AS n FROM meetings_fts WHERE meetings_fts MATCH 'Meeting'").get()).toEqual({ n: 1 });
    } finally {
      migrated.close();
    }
  });

  it('version 2 to 3: action items move into the search index and stored meetings get their talk time', async () => {
    const file = path.join(dir, 'v2.db');
    versionTwoDatabase(file);
    const migrated = await openDatabase(file);
    try {
      expect(migrated.prepare("SELECT a.recording_id, a.seq, a.description FROM action_items_fts f JOIN action_items a ON a.id = f.rowid WHERE action_items_fts MATCH 'proposal'").all()).toEqual([
        { recording_id: 7, seq: 0, description: 'Send proposal' },
      ]);
      // Zoë speaks from 00:00:05 to 01:02:03 (3718 s); "Me" has the last line, 5 words ("💸" is one) x 0.4 s.
      expect(migrated.prepare('SELECT total_seconds, external_share FROM talk_time WHERE recording_id = 7').get()).toEqual({ total_seconds: 3720, external_share: Math.round((3718 / 3720) * 1e6) / 1e6 });
      expect(migrated.prepare('SELECT name, external FROM talk_time_speakers WHERE recording_id = 7 ORDER BY seq').all()).toEqual([
        { name: 'Zoë Ångström', external: 1 },
        { name: 'Me', external: 0 },
      ]);
      // A deleted meeting takes its action items out of the index too.
      migrated.prepare('DELETE FROM meetings WHERE recording_id = 7').run();
      expect(migrated.prepare("SELECT count(*) AS n FROM action_items_fts WHERE action_items_fts MATCH 'proposal'").get()).toEqual({ n: 0 });
    } finally {
      migrated.close();
    }
  });

});

/** A new database taken back to the shape of version 5 (one account): the starting point of the older migrations' tests. */
const BACK_TO_V5 = `DROP TABLE account_meetings; DROP INDEX sync_runs_account; ALTER TABLE sync_runs DROP COLUMN account; DROP TABLE sync_state;
  CREATE TABLE sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), bookmark TEXT, last_success_at TEXT, last_run_id INTEGER, last_error TEXT,
    last_error_at TEXT, backfill_from TEXT, backfill_before TEXT, teams_synced_at TEXT);
  INSERT INTO sync_state (id) VALUES (1);`;

describe('migration to version 5: any order of pages', () => {
  it('a pending backfill reaches up again to the newest instant a run read up to; none pending stays none', async () => {
    const file = path.join(dir, 'v4.db');
    const v4 = await openDatabase(file);
    v4.exec(BACK_TO_V5);
    v4.exec(`ALTER TABLE meetings DROP COLUMN content_attempts; ALTER TABLE meetings DROP COLUMN content_checked_at; PRAGMA user_version = 4;
      UPDATE sync_state SET backfill_from = NULL, backfill_before = '2026-05-01T00:00:00.000Z';
      INSERT INTO sync_runs (trigger, mode, window_start, window_end, started_at, status) VALUES
        ('manual', 'all', NULL, '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z', 'interrupted'),
        ('schedule', 'resume', NULL, '2026-05-01T00:00:00.000Z', '2026-11-20T13:00:00.000Z', 'ok');`);
    v4.close();
    const migrated = await openDatabase(file);
    try {
      expect(new SyncStore(migrated).pendingBackfill()).toEqual({ from: null, before: '2026-11-20T12:00:00.000Z' });
      expect(migrated.prepare('SELECT content_attempts, content_checked_at FROM meetings').all()).toEqual([]);
    } finally {
      migrated.close();
    }
    const none = path.join(dir, 'v4-none.db');
    const plain = await openDatabase(none);
    plain.exec(BACK_TO_V5);
    plain.exec('ALTER TABLE meetings DROP COLUMN content_attempts; ALTER TABLE meetings DROP COLUMN content_checked_at; PRAGMA user_version = 4');
    plain.close();
    const after = await openDatabase(none);
    try {
      expect(new SyncStore(after).pendingBackfill()).toBeNull();
    } finally {
      after.close();
    }
  });
});

describe('migration to version 3: one text form for every stored time', () => {
  /** Every row of every table, in a fixed order: what the migration must keep. */
  const snapshot = (d: Db) => {
    const tables = ['meetings', 'meeting_attendees', 'transcript_segments', 'action_items', 'highlights', 'contacts', 'sync_state', 'sync_runs', 'skipped_items'];
    return Object.fromEntries(tables.map((t) => [t, d.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all() as Record<string, unknown>[]]));
  };

  it('rewrites every time column of a version 2 database, and changes nothing else', async () => {
    const file = path.join(dir, 'v2.db');
    const Database = (await import('better-sqlite3')).default;
    const v2 = new Database(file);
    // Built from version 2's own SQL (schema.sql is version 3 now).
    v2.exec(fs.readFileSync(new URL('../fixtures/schema-v2.sql', import.meta.url), 'utf8'));
    const raw = (id: number, created: string) => JSON.stringify({ recording_id: id, created_at: created });
    const meeting = v2.prepare(`INSERT INTO meetings (recording_id, title, created_at, scheduled_start_time, scheduled_end_time, recording_start_time,
      recording_end_time, summary_markdown, raw_json, payload_sha256, first_synced_at, last_synced_at, last_changed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sha', ?, ?, ?)`);
    // Fathom's forms (whole seconds, microseconds, an offset), fathom-sync's two old forms, and text that is no time at all.
    meeting.run(1, 'Micro', '2025-06-30T20:02:32.054830Z', null, null, '2025-06-30T20:00:00Z', '2025-06-30T20:30:00.5Z', 'budget talk', raw(1, '2025-06-30T20:02:32.054830Z'), '2026-03-01T10:00:05Z', '2026-03-01T10:00:05.123Z', '2026-03-01T10:00:05Z');
    meeting.run(2, 'Offset', '2026-03-01T12:00:00+02:00', '2026-03-01T09:00:00Z', '2026-03-01T09:30:00Z', null, null, null, raw(2, '2026-03-01T12:00:00+02:00'), 'x', 'x', 'x');
    v2.prepare("INSERT INTO meeting_attendees (recording_id, seq, name, email) VALUES (1, 0, 'Zoë', 'zoe@client.example')").run();
    v2.prepare("INSERT INTO transcript_segments (recording_id, seq, speaker_name, text, timestamp, start_seconds) VALUES (1, 0, 'Zoë', 'pricing', '00:00:05', 5)").run();
    v2.prepare("INSERT INTO transcript_fts (rowid, text, speaker_name) SELECT id, text, speaker_name FROM transcript_segments").run();
    v2.prepare("INSERT INTO action_items (recording_id, seq, description, recording_timestamp, start_seconds) VALUES (1, 0, 'Send', '00:10:45', 645)").run();
    v2.prepare("INSERT INTO contacts (email, name, first_meeting_at, last_meeting_at) VALUES ('zoe@client.example', 'Zoë', '2025-06-30T20:02:32.054830Z', '2026-03-01T10:00:00Z')").run();
    v2.prepare(`UPDATE sync_state SET bookmark = '2026-03-01T10:00:05Z', last_success_at = '2026-03-01T10:00:05.5Z', last_run_id = 1,
      last_error = 'HTTP 503', last_error_at = '2026-02-28T23:59:59.999Z', backfill_from = NULL, backfill_before = '2026-02-01T00:00:00Z'`).run();
    v2.prepare(`INSERT INTO sync_runs (id, trigger, mode, window_start, window_end, filters_json, pid, started_at, ended_at, status, pages, meetings_new, error)
      VALUES (1, 'manual', 'quick', '2026-01-30T10:00:05Z', '2026-03-01T10:00:05.250Z', '{}', 7, '2026-03-01T10:00:05Z', '2026-03-01T10:00:06.1Z', 'ok', 2, 1, NULL),
             (2, 'schedule', 'incremental', NULL, NULL, NULL, 8, '2026-03-01T11:00:00.000Z', NULL, 'running', 0, 0, NULL)`).run();
    v2.prepare("INSERT INTO skipped_items (run_id, recording_id, reason) VALUES (1, 3, 'created_at: not a date-time')").run();
    const before = snapshot(v2);
    v2.close();

    const migrated = await openDatabase(file);
    try {
      expect(migrated.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const after = snapshot(migrated);
      // What changed, and only that: every other value of every table is as it was.
      const expected = structuredClone(before);
      Object.assign(expected.meetings![0]!, {
        created_at: '2025-06-30T20:02:32.054Z',
        recording_start_time: '2025-06-30T20:00:00.000Z',
        recording_end_time: '2025-06-30T20:30:00.500Z',
        first_synced_at: '2026-03-01T10:00:05.000Z',
        last_changed_at: '2026-03-01T10:00:05.000Z',
      });
      Object.assign(expected.meetings![1]!, { created_at: '2026-03-01T10:00:00.000Z', scheduled_start_time: '2026-03-01T09:00:00.000Z', scheduled_end_time: '2026-03-01T09:30:00.000Z' });
      Object.assign(expected.contacts![0]!, { first_meeting_at: '2025-06-30T20:02:32.054Z', last_meeting_at: '2026-03-01T10:00:00.000Z' });
      Object.assign(expected.sync_state![0]!, { bookmark: '2026-03-01T10:00:05.000Z', last_success_at: '2026-03-01T10:00:05.500Z', backfill_before: '2026-02-01T00:00:00.000Z' });
      Object.assign(expected.sync_runs![0]!, { window_start: '2026-01-30T10:00:05.000Z', started_at: '2026-03-01T10:00:05.000Z', ended_at: '2026-03-01T10:00:06.100Z' });
      // Version 4 gives action items an id (for the search index) and adds a column to sync_state.
      expected.action_items = expected.action_items!.map((row, i) => ({ id: i + 1, ...row }));
      Object.assign(expected.sync_state![0]!, { teams_synced_at: null });
      // Version 5: per-meeting content retries, and a pending backfill read again from the newest
      // instant a run read up to (its old mark trusted one order of pages).
      expected.meetings = expected.meetings!.map((row) => ({ ...row, content_attempts: 0, content_checked_at: null }));
      Object.assign(expected.sync_state![0]!, { backfill_before: '2026-03-01T10:00:05.250Z' });
      // Version 6: several accounts. The one row of sync_state and every run become the `default`
      // account's, and it sees every meeting already stored, since it first synced it.
      const { id: _one, ...state } = expected.sync_state![0]!;
      expected.sync_state = [{ account: 'default', ...state }];
      expected.sync_runs = expected.sync_runs!.map((row) => ({ ...row, account: 'default' }));
      expect(after).toEqual(expected);
      expect(migrated.prepare('SELECT account, recording_id, first_seen_at, last_seen_at FROM account_meetings ORDER BY recording_id').all()).toEqual([
        { account: 'default', recording_id: 1, first_seen_at: '2026-03-01T10:00:05.000Z', last_seen_at: '2026-03-01T10:00:05.123Z' },
        { account: 'default', recording_id: 2, first_seen_at: 'x', last_seen_at: 'x' },
      ]);
      // Fathom's own strings stay exactly as sent in raw_json; the search indexes still agree with their tables.
      expect(JSON.parse(after.meetings![0]!.raw_json as string).created_at).toBe('2025-06-30T20:02:32.054830Z');
      migrated.exec("INSERT INTO meetings_fts (meetings_fts) VALUES ('integrity-check'); INSERT INTO transcript_fts (transcript_fts) VALUES ('integrity-check')");
      expect(migrated.prepare("SELECT rowid FROM meetings_fts WHERE meetings_fts MATCH 'budget'").pluck().all()).toEqual([1]);
      // Text order is time order now: the bookmark compares right against a later time with milliseconds.
      expect(readSyncState(migrated, 'default').bookmark! < '2026-03-01T10:00:05.500Z').toBe(true);
    } finally {
      migrated.close();
    }
  });
});

describe('openDatabase: files and folders that are not ours', () => {
  it('refuses another program\'s SQLite database without adding anything to it', async () => {
    const file = path.join(dir, 'notes.sqlite');
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(file);
    other.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    other.close();
    const before = fs.readFileSync(file);
    await expect(openDatabase(file)).rejects.toThrow(/is another program's SQLite database .*nothing was changed/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    // Whatever user_version the other program uses.
    for (const version of [1, 2, 7]) {
      const versioned = path.join(dir, `app-v${version}.sqlite`);
      const app = new Database(versioned);
      app.exec(`CREATE TABLE notes (body TEXT); PRAGMA user_version = ${version}`);
      app.close();
      const bytes = fs.readFileSync(versioned);
      await expect(openDatabase(versioned)).rejects.toThrow(/is another program's SQLite database/);
      expect(fs.readFileSync(versioned).equals(bytes)).toBe(true);
    }
  });

  it('creates missing folders 0700 but leaves the mode of an existing folder alone', async () => {
    const shared = path.join(dir, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o755);
    (await openDatabase(path.join(shared, 'calls.db'))).close();
    expect(fs.statSync(shared).mode & 0o777).toBe(0o755);
    (await openDatabase(path.join(shared, 'new', 'deeper', 'calls.db'))).close();
    expect(fs.statSync(path.join(shared, 'new')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(shared, 'new', 'deeper')).mode & 0o777).toBe(0o700);
  });
});

describe('SyncStore.commitPage', () => {
  it('writes a meeting with all child rows, contacts and search index', () => {
    const runId = store.startRun(run, '2026-11-20T00:00:00Z');
    const result = store.commitPage({ runId, meetings: [incoming(meetingPayload(7))], skipped: [], counters: progress(), now: '2026-11-20T00:00:01Z' });
    expect(result).toEqual({ new: 1, updated: 0, unchanged: 0 });
    const m = db.prepare('SELECT * FROM meetings WHERE recording_id = 7').get() as Record<string, unknown>;
    expect(m).toMatchObject({ title: 'Meeting 7', duration_seconds: 1800, content_complete: 1, recorded_by_email: 'me@acme.example', summary_markdown: '## Summary\nBudgets.' });
    expect(JSON.parse(m.raw_json as string)).toEqual(meetingPayload(7));
    // Times in the canonical form; raw_json keeps Fathom's.
    expect(m).toMatchObject({ created_at: '2026-11-01T10:00:00.000Z', recording_start_time: '2026-11-01T09:00:00.000Z', recording_end_time: '2026-11-01T09:30:00.000Z', scheduled_start_time: null });
    expect(count('meeting_attendees')).toBe(2);
    expect(db.prepare('SELECT start_seconds FROM transcript_segments ORDER BY seq').pluck().all()).toEqual([5, 3723]);
    expect(count('action_items')).toBe(1);
    expect(count('highlights')).toBe(1);
    expect(db.prepare('SELECT email FROM contacts ORDER BY email').pluck().all()).toEqual(['me@acme.example', 'zoe@client.example']);
    expect(db.prepare("SELECT rowid FROM meetings_fts WHERE meetings_fts MATCH 'budgets'").pluck().all()).toEqual([7]);
    // unicode61 with remove_diacritics: "ca" finds "ça".
    expect(db.prepare("SELECT COUNT(*) FROM transcript_fts WHERE transcript_fts MATCH 'ca'").pluck().get()).toBe(1);
  });

  it('re-syncing replaces child rows instead of duplicating them, and keeps the index in step', () => {
    const runId = store.startRun(run, '2026-11-20T00:00:00Z');
    store.commitPage({ runId, meetings: [incoming(meetingPayload(7))], skipped: [], counters: progress(), now: 'a' });
    const same = store.commitPage({ runId, meetings: [incoming(meetingPayload(7))], skipped: [], counters: progress(), now: 'b' });
    expect(same).toEqual({ new: 0, updated: 0, unchanged: 1 });
    const changed = meetingPayload(7, {
      title: 'Renamed',
      transcript: [{ speaker: { display_name: 'Solo' }, text: 'only one line now', timestamp: '00:00:01' }],
    });
    expect(store.commitPage({ runId, meetings: [incoming(changed)], skipped: [], counters: progress(), now: 'c' })).toEqual({ new: 0, updated: 1, unchanged: 0 });
    expect(count('transcript_segments')).toBe(1);
    expect(count('meeting_attendees')).toBe(2);
    expect(db.prepare("SELECT COUNT(*) FROM transcript_fts WHERE transcript_fts MATCH 'budgets'").pluck().get()).toBe(0);
    expect(db.prepare("SELECT COUNT(*) FROM transcript_fts WHERE transcript_fts MATCH 'only'").pluck().get()).toBe(1);
    expect(db.prepare("SELECT rowid FROM meetings_fts WHERE meetings_fts MATCH 'renamed'").pluck().all()).toEqual([7]);
    db.exec("INSERT INTO transcript_fts(transcript_fts) VALUES('integrity-check')");
    db.exec("INSERT INTO meetings_fts(meetings_fts) VALUES('integrity-check')");
    const row = db.prepare('SELECT first_synced_at, last_synced_at FROM meetings').get();
    expect(row).toEqual({ first_synced_at: 'a', last_synced_at: 'c' });
  });

  it('marks meetings whose summary is not ready as incomplete', () => {
    const runId = store.startRun(run, 'x');
    store.commitPage({ runId, meetings: [incoming(meetingPayload(8, { default_summary: null, transcript: null }))], skipped: [], counters: progress(), now: 'x' });
    expect(store.oldestIncompleteSince('2000-01-01T00:00:00.000Z', { tries: 3, retryCutoff: '2000-01-01T00:00:00.000Z' })).toBe('2026-11-01T10:00:00.000Z');
    expect(store.storedContent(8)).toBeNull();
  });

  it('counts the runs that asked for content Fathom did not have; after 3, the meeting is due once a day; complete content resets it', () => {
    const runId = store.startRun(run, 'x');
    const pending = () => incoming(meetingPayload(8, { default_summary: null, transcript: null }));
    const write = (asked: string, item = pending()) => store.commitPage({ runId, meetings: [item], skipped: [], counters: progress(), now: 'x', contentAskedAt: asked });
    const state = () => db.prepare('SELECT content_attempts AS n, content_checked_at AS at FROM meetings WHERE recording_id = 8').get();
    const since = '2000-01-01T00:00:00.000Z';
    const due = (cutoff: string) => store.oldestIncompleteSince(since, { tries: 3, retryCutoff: cutoff });
    write('2026-11-20T10:00:00.000Z');
    write('2026-11-20T11:00:00.000Z'); // the same payload again still counts
    expect(state()).toEqual({ n: 2, at: '2026-11-20T11:00:00.000Z' });
    expect(due('2026-11-19T12:00:00.000Z')).toBe('2026-11-01T10:00:00.000Z');
    write('2026-11-20T12:00:00.000Z');
    expect(store.contentRetryDue(8, Date.parse('2026-11-20T13:00:00Z'))).toBe(false);
    expect(due('2026-11-19T13:00:00.000Z')).toBeNull();
    expect(store.contentRetryDue(8, Date.parse('2026-11-21T12:00:00Z'))).toBe(true);
    expect(due('2026-11-20T12:00:00.000Z')).toBe('2026-11-01T10:00:00.000Z');
    // Left as stored (not asked): not another try.
    write('2026-11-21T12:00:00.000Z', { ...pending(), contentAsked: false });
    expect(state()).toEqual({ n: 3, at: '2026-11-20T12:00:00.000Z' });
    write('2026-11-21T13:00:00.000Z', incoming(meetingPayload(8)));
    expect(state()).toEqual({ n: 0, at: '2026-11-20T12:00:00.000Z' });
    expect(store.contentRetryDue(8, Date.parse('2026-11-21T13:00:00Z'))).toBe(true);
  });

  it('a summary with an empty transcript (nobody spoke) is complete; a null transcript is not', () => {
    const runId = store.startRun(run, 'x');
    store.commitPage({ runId, meetings: [incoming(meetingPayload(9, { transcript: [] })), incoming(meetingPayload(10, { transcript: null }))], skipped: [], counters: progress(), now: 'x' });
    const rows = db.prepare('SELECT recording_id, content_complete FROM meetings ORDER BY recording_id').all();
    expect(rows).toEqual([
      { recording_id: 9, content_complete: 1 },
      { recording_id: 10, content_complete: 0 },
    ]);
  });

  it('a page that fails half way leaves nothing behind, bookmark included', () => {
    const runId = store.startRun(run, 'x');
    const broken = incoming(meetingPayload(9));
    (broken.meeting as { calendar_invitees: unknown }).calendar_invitees = null; // makes the writer throw mid-page
    expect(() =>
      store.commitPage({ runId, meetings: [incoming(meetingPayload(8)), broken], skipped: [], counters: progress(), now: 'x', bookmark: '2026-11-20T00:00:00Z' }),
    ).toThrow();
    expect(count('meetings')).toBe(0);
    expect(count('transcript_segments')).toBe(0);
    expect(store.state().bookmark).toBeNull();
  });

  it('never moves the bookmark backwards', () => {
    const runId = store.startRun(run, 'x');
    store.commitPage({ runId, meetings: [], skipped: [], counters: progress(), now: 'x', bookmark: '2026-11-20T00:00:00Z' });
    store.commitPage({ runId, meetings: [], skipped: [], counters: progress(), now: 'x', bookmark: '2026-10-01T00:00:00Z' });
    expect(store.state().bookmark).toBe('2026-11-20T00:00:00Z');
  });

  it('marks runs of dead processes as interrupted', () => {
    const runId = store.startRun(run, 'x');
    db.prepare('UPDATE sync_runs SET pid = 999999999 WHERE id = ?').run(runId);
    expect(store.markInterruptedRuns('y', processes)).toBe(1);
    expect(db.prepare('SELECT status, ended_at FROM sync_runs WHERE id = ?').get(runId)).toEqual({ status: 'interrupted', ended_at: 'y' });
  });
});
