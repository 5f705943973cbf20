import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { pruneRunHistory, trimLogFile } from '../../src/history/retention.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW - d * 24 * 3600_000).toISOString();

let dir: string;
let db: Db;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-retention-'));
  db = await openDatabase(path.join(dir, 'x.db'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const addRun = (startedDaysAgo: number, status = 'ok') =>
  Number(db.prepare("INSERT INTO sync_runs (trigger, mode, started_at, status) VALUES ('schedule', 'incremental', ?, ?)").run(daysAgo(startedDaysAgo), status).lastInsertRowid);

describe('pruneRunHistory', () => {
  it('deletes runs older than 30 days with their skipped items, but not the last run or a running one', () => {
    const old = addRun(40);
    db.prepare('INSERT INTO skipped_items (run_id, recording_id, reason) VALUES (?, 1, ?)').run(old, 'bad');
    const lastKnown = addRun(35);
    const running = addRun(33, 'running');
    const recent = addRun(2);
    db.prepare("INSERT INTO sync_state (account, last_run_id) VALUES ('default', ?)").run(lastKnown);
    expect(pruneRunHistory(db, NOW)).toBe(1);
    expect(db.prepare('SELECT id FROM sync_runs ORDER BY id').pluck().all()).toEqual([lastKnown, running, recent]);
    expect(db.prepare('SELECT COUNT(*) FROM skipped_items').pluck().get()).toBe(0);
  });
});

describe('trimLogFile', () => {
  it('leaves a small log alone and a missing one missing', () => {
    const file = path.join(dir, 'sync.log');
    expect(trimLogFile(file, 100, 50)).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
    fs.writeFileSync(file, 'one\ntwo\n');
    expect(trimLogFile(file, 100, 50)).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('one\ntwo\n');
  });

  it('keeps the newest lines, starting at a line boundary, in the same file', () => {
    const file = path.join(dir, 'sync.log');
    const lines = Array.from({ length: 50 }, (_, i) => `line ${String(i).padStart(2, '0')}`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const inode = fs.statSync(file).ino;
    expect(trimLogFile(file, 100, 40)).toBe(true);
    const kept = fs.readFileSync(file, 'utf8');
    expect(kept).toBe('line 46\nline 47\nline 48\nline 49\n');
    // Rewritten in place: cron's shell still appends to the same file.
    expect(fs.statSync(file).ino).toBe(inode);
  });
});
