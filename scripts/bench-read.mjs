#!/usr/bin/env node
// The read side's figures for `npm run bench`, each against a baseline measured in the same run,
// on a database synced by the real CLI (10,000 meetings x 200 transcript lines by default):
//
//   search      in-process searchMeetings (ranked, counted, snippets) vs a bare FTS5 MATCH ... LIMIT 20
//                                                                              target < 50 ms
//               the whole command `fathom-sync search` vs `node -e 0`         target < 150 ms
//   export md   meetings/s into an empty folder vs writing the same bytes with fs.writeFileSync
//                                                                              target >= 1,000/s
//   re-export   the same export again, nothing changed: files written, time    target 0, < 2 s
//   talk time   computing and storing it for every meeting vs the sync's ingest time
//                                                                              target < 10%
//
// Run alone: `node scripts/bench-read.mjs [database]` (without one it syncs 10,000 meetings first;
// BENCH_READ_MEETINGS changes that). `npm run bench` calls it with the 10,000-meeting database of
// its ingest figure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href;
const cli = path.join(root, 'bin', 'fathom-sync.js');
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeIt(fn, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function timeProcess(args, env, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore', env });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** A database synced by the real CLI from the fake server, and the sync's own duration. */
async function syncedDatabase(work, meetings) {
  const server = spawn(process.execPath, [path.join(root, 'dist', 'fake-server', 'main.js'), '--meetings', String(meetings), '--segments', '200', '--rate-window-ms', '60000', '--global-limit', '1000000', '--heavy-limit', '1000000', '--pending-fraction', '0', '--seed', '42'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise((resolve, reject) => {
      readline.createInterface({ input: server.stdout }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`fake server exited ${code}`)));
    });
    const { url, apiKey } = JSON.parse(line);
    const home = path.join(work, 'home');
    const r = spawnSync(process.execPath, [cli, 'run', '--all', '--json', '--quiet'], { env: { PATH: process.env.PATH, HOME: work, FATHOM_SYNC_HOME: home, FATHOM_API_URL: url, FATHOM_API_KEY: apiKey }, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`sync failed: ${r.stderr}`);
    return { file: path.join(home, 'data', 'fathom-sync.db'), ingestMs: JSON.parse(r.stdout).duration_ms };
  } finally {
    server.kill('SIGTERM');
  }
}

/** The figures, as table rows [figure, fathom-sync, baseline, ratio, target]. */
export async function readFigures(databaseFile, options = {}) {
  const rows = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fathom-sync-bench-read-'));
  try {
    let file = databaseFile;
    let ingestMs = options.ingestMs ?? null;
    if (!file) {
      const n = Number(process.env.BENCH_READ_MEETINGS ?? 10_000);
      process.stderr.write(`bench-read: syncing ${n} meetings x 200 lines\n`);
      ({ file, ingestMs } = await syncedDatabase(work, n));
    }
    const { openReader } = await import(dist('db/read/open.js'));
    const { searchMeetings } = await import(dist('db/read/search.js'));
    const { parseSearchQuery } = await import(dist('domain/search-query.js'));
    const reader = await openReader(file);
    const meetings = reader.meetingCount();
    try {
      // 1. search, in-process: the whole query (count, rank, snippets) vs the bare index lookup.
      const query = parseSearchQuery('budget');
      let total = 0;
      const ours = timeIt(() => (total = searchMeetings(reader.db, query, {}, 20).total), 21);
      const bareStatement = reader.db.prepare("SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH 'budget' LIMIT 20");
      const bare = timeIt(() => bareStatement.all(), 21);
      rows.push([`search "budget", ${fmt(meetings)} meetings (${fmt(total)} hits), in-process`, `${fmt(ours, 1)} ms`, `${fmt(bare, 2)} ms (bare MATCH LIMIT 20)`, `${(ours / bare).toFixed(1)}x`, '< 50 ms']);
      // 2. The whole command.
      const env = { PATH: process.env.PATH, HOME: work, FATHOM_SYNC_DB: file };
      timeProcess(['-e', '0'], env, 3);
      const base = timeProcess(['-e', '0'], env, 11);
      const command = timeProcess([cli, 'search', 'budget'], env, 11);
      rows.push(['search, whole command', `${fmt(command, 1)} ms`, `${fmt(base, 1)} ms (node -e 0)`, `${(command / base).toFixed(2)}x`, '< 150 ms']);

      // 3-4. Export to Markdown, then again with nothing changed.
      const out = path.join(work, 'notes');
      const t0 = process.hrtime.bigint();
      const first = spawnSync(process.execPath, [cli, 'export', '--format', 'md', '--out', out, '--json'], { env, encoding: 'utf8' });
      const exportMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (first.status !== 0) throw new Error(`export failed: ${first.stderr}`);
      const written = JSON.parse(first.stdout).written;
      // Baseline: the same bytes written with plain writeFileSync, nothing rendered or checked.
      const files = fs.readdirSync(out).filter((f) => f.endsWith('.md'));
      const contents = files.map((f) => fs.readFileSync(path.join(out, f)));
      const plainDir = path.join(work, 'plain');
      fs.mkdirSync(plainDir);
      const t1 = process.hrtime.bigint();
      contents.forEach((c, i) => fs.writeFileSync(path.join(plainDir, `${i}.md`), c));
      const plainMs = Number(process.hrtime.bigint() - t1) / 1e6;
      rows.push([`export md, ${fmt(written)} meetings (whole command)`, `${fmt(written / (exportMs / 1000))} meetings/s`, `${fmt(contents.length / (plainMs / 1000))} files/s (writeFileSync)`, `${(exportMs / plainMs).toFixed(1)}x the time`, '>= 1,000/s']);
      const t2 = process.hrtime.bigint();
      const again = spawnSync(process.execPath, [cli, 'export', '--format', 'md', '--out', out, '--json'], { env, encoding: 'utf8' });
      const againMs = Number(process.hrtime.bigint() - t2) / 1e6;
      const second = JSON.parse(again.stdout);
      rows.push(['re-export, nothing changed', `${fmt(againMs)} ms, ${second.written} written`, `${fmt(exportMs)} ms (first export)`, `${(againMs / exportMs).toFixed(2)}x`, '< 2 s, 0 written']);

      // 5. Talk time: computed and stored for every meeting, vs the sync's ingest time.
      if (ingestMs !== null) {
        const { default: Database } = await import('better-sqlite3');
        const { MeetingSchema } = await import(dist('api/schemas.js'));
        const { TalkTimeWriter, talkTimeOf } = await import(dist('db/talk-time-store.js'));
        const copy = path.join(work, 'talk.db');
        fs.copyFileSync(file, copy);
        const db = new Database(copy);
        const raws = db.prepare('SELECT recording_id, raw_json FROM meetings').all().map((r) => ({ id: r.recording_id, meeting: MeetingSchema.parse(JSON.parse(r.raw_json)) }));
        const writer = new TalkTimeWriter(db);
        const t3 = process.hrtime.bigint();
        db.transaction(() => {
          const team = writer.teamMembers();
          for (const { id, meeting } of raws) writer.write(id, talkTimeOf(meeting, team));
        })();
        const talkMs = Number(process.hrtime.bigint() - t3) / 1e6;
        db.close();
        rows.push([`talk time, ${fmt(raws.length)} meetings`, `${fmt(talkMs)} ms`, `${fmt(ingestMs)} ms (the sync)`, `${fmt((talkMs / ingestMs) * 100, 1)}% of ingest`, '< 10%']);
      }
    } finally {
      reader.close();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await readFigures(process.argv[2]);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}
