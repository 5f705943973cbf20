import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { need } from '../helpers/capabilities.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { query } from '../helpers/truth.js';

/**
 * The README and the demo send users to the sqlite3 shell: the database a sync writes must open
 * there (the system's SQLite, often older than the one better-sqlite3 bundles), full-text search
 * included, and the README's example queries must answer what the database holds.
 */

const NOW = '2026-11-20T12:00:00Z';
const sqlite3 = need('sqlite3');

describe.skipIf(sqlite3.skip)(sqlite3.title("the database in the sqlite3 shell, with the README's queries"), () => {
  let server: FakeFathom;
  let home: ReturnType<typeof tempHome>;
  let db: string;
  const shell = (sql: string) => {
    const r = spawnSync('sqlite3', ['-readonly', '-json', db, sql], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim() ? (JSON.parse(r.stdout) as unknown[]) : [];
  };

  beforeAll(async () => {
    server = await startFakeFathom({ seed: 5, meetingCount: 30, now: Date.parse(NOW), segmentsPerMeeting: [5, 40], pendingFraction: 0 });
    home = tempHome();
    const env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
    const r = await runCli(['run', '--all'], env);
    expect(r.code, r.stderr).toBe(0);
    db = dbPath(env);
  });
  afterAll(async () => {
    await server.close();
    home.cleanup();
  });

  it('opens it and passes its integrity check', () => {
    expect(shell('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(shell('SELECT count(*) AS n FROM meetings')).toEqual([{ n: 30 }]);
  });

  it('answers the README queries as the database holds them, full-text search included', () => {
    const readme = [
      'SELECT created_at, title, round(duration_seconds / 60) AS minutes FROM meetings ORDER BY created_at DESC LIMIT 10',
      `SELECT m.title, s.timestamp, s.speaker_name, s.text
         FROM transcript_fts JOIN transcript_segments s ON s.id = transcript_fts.rowid
         JOIN meetings m USING (recording_id)
        WHERE transcript_fts MATCH 'budget' ORDER BY m.created_at DESC, s.id`,
      'SELECT m.title, a.description, a.assignee_email FROM action_items a JOIN meetings m USING (recording_id) WHERE NOT a.completed ORDER BY a.recording_id, a.seq',
    ];
    for (const sql of readme) {
      const expected = query(db, sql);
      expect(expected.length, sql).toBeGreaterThan(0);
      expect(shell(sql), sql).toEqual(expected);
    }
  });
});
