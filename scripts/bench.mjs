#!/usr/bin/env node
// `npm run bench`: figures measured in one run against the bundled fake Fathom server (no latency),
// each beside a baseline measured in the same run. Not part of the tests. Prints a table.
//
//   ingest      meetings/s and transcript rows/s of `run --all` vs a bare better-sqlite3 insert of the
//               same rows into the same schema (the ceiling)                         target >= 50%
//   memory      peak RSS of the sync at 1,000 and 10,000 meetings                    target < 1.5x for 10x
//   requests    API requests made vs the minimum ceil(N / page size); retries apart. A sync reads
//               time slices, each to its last page (whatever order Fathom lists in), so slices'
//               last pages and the empty slices back to the beginning cost a few more; also
//               measured with the fake listing source by source and shuffled      target <= 1.20x
//   rate limit  wall time under a compressed server rate window vs the bound the budget allows,
//               and 429s received                                                    target <= 1.10x, 0
//   start-up    whole-process time of `fathom-sync --help` vs `node -e 0`            target <= 1.6x
//   read side   search, Markdown export, re-export and talk time on the largest database: see
//               scripts/bench-read.mjs
//   pg          meetings/s of `run --all --db postgres://...` vs a minimal multi-row INSERT loop with the
//               same driver (pg) into the same schema, at each size (scripts/bench-pg.mjs; the
//               server: BENCH_PG_URL, else a throwaway one like the test command's)  target >= 0.5x
//   mcp         median time of a `search_meetings` call through an MCP client over stdio (`fathom-sync
//               mcp`) vs `searchMeetings` called in-process, on one database of 10,000 meetings
//                                                                                    target < 30 ms
//
// BENCH_SIZES=1000,10000 and BENCH_SEGMENTS=200 change the sizes. BENCH_FIGURES=ingest,rate,startup,pg,mcp
// (the default: all) picks figures, e.g. BENCH_FIGURES=mcp alone. The mcp figure reuses the database the
// ingest figure synced when it has BENCH_MCP_MEETINGS (default 10000) meetings, else syncs its own;
// BENCH_MCP_DB=path measures an existing database instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { readFigures } from './bench-read.mjs';
import { bareInsertPg, benchPgServer, createDatabase } from './bench-pg.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverMain = path.join(root, 'dist', 'fake-server', 'main.js');
const rssWrapper = path.join(root, 'scripts', 'bench-cli-rss.mjs');
const cli = path.join(root, 'bin', 'fathom-sync.js');
const sizes = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const figures = new Set((process.env.BENCH_FIGURES ?? 'ingest,rate,startup,pg,mcp').split(',').map((f) => f.trim()));
const mcpMeetings = Number(process.env.BENCH_MCP_MEETINGS ?? 10000);
/** Databases the ingest figure synced, by meeting count: the mcp figure reads one of them. */
const syncedDb = {};
const segments = Number(process.env.BENCH_SEGMENTS ?? 200);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fathom-sync-bench-'));
const rows = [];
const log = (s) => process.stderr.write(`${s}\n`);

async function startServer(args) {
  const child = spawn(process.execPath, [serverMain, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fake server exited ${code}`)));
  });
  return { ...JSON.parse(line), stop: () => child.kill('SIGTERM') };
}

function runCliMeasured(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [rssWrapper, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`fathom-sync ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      const rssKb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(err)?.[1] ?? NaN);
      resolve({ ms, rssKb, result: JSON.parse(out) });
    });
  });
}

async function fetchJson(url, apiKey) {
  const res = await fetch(url, { headers: { 'X-Api-Key': apiKey } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/**
 * The ceiling: the same rows (and their search-index entries, which the schema requires), read from
 * the same server, inserted with bare prepared statements in the same page-sized transactions.
 * Only the insert time counts: no HTTP, no JSON parsing, no validation.
 */
async function bareInsert(server, file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(fs.readFileSync(path.join(root, 'schema.sql'), 'utf8'));
  const meeting = db.prepare(`INSERT INTO meetings (recording_id, title, meeting_title, created_at, summary_markdown, raw_json,
    payload_sha256, first_synced_at, last_synced_at, last_changed_at) VALUES (?, ?, ?, ?, ?, ?, '', '', '', '')`);
  const attendee = db.prepare('INSERT INTO meeting_attendees (recording_id, seq, name, email, email_domain, is_external) VALUES (?, ?, ?, ?, ?, ?)');
  const segment = db.prepare('INSERT INTO transcript_segments (recording_id, seq, speaker_name, speaker_email, text, timestamp) VALUES (?, ?, ?, ?, ?, ?)');
  const segmentIndex = db.prepare('INSERT INTO transcript_fts (rowid, text, speaker_name) VALUES (?, ?, ?)');
  const action = db.prepare('INSERT INTO action_items (recording_id, seq, description, completed) VALUES (?, ?, ?, ?)');
  const highlight = db.prepare('INSERT INTO highlights (recording_id, seq, type, summary, start_time, end_time) VALUES (?, ?, ?, ?, ?, ?)');
  // The schema's per-meeting search index (search ranks whole meetings): part of what storing a meeting means.
  const meetingIndex = db.prepare('INSERT INTO meeting_search_fts (rowid, title, summary, actions, transcript) VALUES (?, ?, ?, ?, ?)');
  const writePage = db.transaction((items) => {
    for (const m of items) {
      meeting.run(m.recording_id, m.title, m.meeting_title, m.created_at, m.default_summary?.markdown_formatted ?? null, JSON.stringify(m));
      m.calendar_invitees.forEach((a, i) => attendee.run(m.recording_id, i, a.name, a.email, a.email_domain, a.is_external ? 1 : 0));
      (m.transcript ?? []).forEach((s, i) => {
        const { lastInsertRowid } = segment.run(m.recording_id, i, s.speaker.display_name, s.speaker.matched_calendar_invitee_email ?? null, s.text, s.timestamp);
        segmentIndex.run(lastInsertRowid, s.text, s.speaker.display_name);
      });
      (m.action_items ?? []).forEach((a, i) => action.run(m.recording_id, i, a.description, a.completed ? 1 : 0));
      (m.highlights ?? []).forEach((h, i) => highlight.run(m.recording_id, i, h.type, h.summary, h.start_time, h.end_time));
      meetingIndex.run(
        m.recording_id,
        [m.title, m.meeting_title].filter(Boolean).join('\n'),
        m.default_summary?.markdown_formatted ?? '',
        (m.action_items ?? []).map((a) => a.description ?? '').join('\n'),
        (m.transcript ?? []).map((t) => t.text).join('\n'),
      );
    }
  });
  let insertMs = 0;
  let meetings = 0;
  let segs = 0;
  let cursor = null;
  const flags = 'include_transcript=true&include_summary=true&include_action_items=true&include_highlights=true&include_crm_matches=true';
  do {
    const page = await fetchJson(`${server.url}/meetings?${flags}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, server.apiKey);
    const t0 = process.hrtime.bigint();
    writePage(page.items);
    insertMs += Number(process.hrtime.bigint() - t0) / 1e6;
    meetings += page.items.length;
    segs += page.items.reduce((n, m) => n + (m.transcript?.length ?? 0), 0);
    cursor = page.next_cursor;
  } while (cursor);
  db.close();
  return { insertMs, meetings, segs };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeProcess(args, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

/**
 * Queries of the kinds people ask, in the search language (words, a phrase, OR, a prefix, NOT), in two
 * sets. The fake transcripts are made of a few dozen sentences, so every word of them is in 3-7% of all
 * lines (57,000-140,000 of 2 million lines at 10,000 meetings, each ranked by bm25): `common`. Words of
 * titles, companies and action items match a few hundred to a few thousand places, as most words of real
 * transcripts do: `selective`.
 */
const SEARCH_QUERIES = {
  common: ['budget', 'renewal contract', '"data residency"', 'pricing OR discount', 'onboard*', 'procurement -legal', 'SSO integration', 'Zürich', 'emoji export', 'proposal'],
  selective: ['Acme', 'Kickoff', 'Incident', 'Hiring', 'Discovery', 'Müller', 'Retro', 'Pipeline', '"security review"', 'questionnaire -legal'],
};

/**
 * The same searches two ways, in alternating order: `searchMeetings` called in this process (the bare
 * query) on a connection opened as the server opens its own (ReaderSource), and `search_meetings` called
 * through the v2 MCP client over stdio to a `fathom-sync mcp` child (protocol, validation, rendering,
 * structured content). Each call is one query with the tool's defaults (limit 20); a first round warms
 * both up and is not counted.
 */
async function measureMcpSearch(db, rounds = Number(process.env.BENCH_MCP_ROUNDS ?? 6)) {
  const dist = (file) => pathToFileURL(path.join(root, 'dist', file)).href;
  const { ReaderSource } = await import(dist('mcp/reader-source.js'));
  const { searchMeetings } = await import(dist('db/read/search.js'));
  const { parseSearchQuery } = await import(dist('domain/search-query.js'));
  const { Client } = await import('@modelcontextprotocol/client');
  const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
  const source = new ReaderSource(db);
  const reader = await source.reader();
  const meetings = reader.meetingCount();
  const client = new Client({ name: 'fathom-sync-bench', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli, 'mcp', '--db', db], env: { PATH: process.env.PATH, HOME: work }, stderr: 'ignore' }));
  const times = Object.fromEntries(Object.keys(SEARCH_QUERIES).map((set) => [set, { bare: [], client: [], matches: [] }]));
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const [set, queries] of Object.entries(SEARCH_QUERIES)) {
        for (const q of queries) {
          const t0 = process.hrtime.bigint();
          const { total } = searchMeetings(reader.db, parseSearchQuery(q), {}, 20);
          const t1 = process.hrtime.bigint();
          const result = await client.callTool({ name: 'search_meetings', arguments: { query: q } });
          const t2 = process.hrtime.bigint();
          if (result.isError || result.structuredContent.total !== total) throw new Error(`search_meetings ${q}: ${result.content[0]?.text}`);
          if (round === 0) {
            times[set].matches.push(total);
            continue;
          }
          times[set].bare.push(Number(t1 - t0) / 1e6);
          times[set].client.push(Number(t2 - t1) / 1e6);
        }
      }
    }
  } finally {
    await client.close();
    source.close();
  }
  const sets = Object.fromEntries(
    Object.entries(times).map(([set, t]) => [set, { bare: median(t.bare), client: median(t.client), bareP90: percentile(t.bare, 0.9), clientP90: percentile(t.client, 0.9), minMatches: Math.min(...t.matches), maxMatches: Math.max(...t.matches) }]),
  );
  return { meetings, sets };
}

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const envFor = (server, home) => ({ PATH: process.env.PATH, HOME: work, FATHOM_SYNC_HOME: home, FATHOM_API_URL: server.url, FATHOM_API_KEY: server.apiKey });

try {
  // 1-3. Ingest, memory, requests.
  const rss = {};
  for (const n of figures.has('ingest') ? sizes : []) {
    log(`bench: ${n} meetings x ${segments} segments`);
    // Limits so generous they never bind, but announced in RateLimit-* headers as a real server
    // would: without headers the client (rightly) paces itself at the documented 30 heavy calls/min.
    const server = await startServer(['--meetings', String(n), '--segments', String(segments), '--rate-window-ms', '60000', '--global-limit', '1000000', '--heavy-limit', '1000000', '--pending-fraction', '0', '--seed', '42']);
    try {
      const home = path.join(work, `home-${n}`);
      const sync = await runCliMeasured(['run', '--all', '--json', '--quiet'], envFor(server, home));
      const bare = await bareInsert(server, path.join(work, `bare-${n}.db`));
      const r = sync.result;
      const syncSegs = bare.segs; // the same rows
      const syncRate = r.meetings_new / (r.duration_ms / 1000);
      const bareRate = bare.meetings / (bare.insertMs / 1000);
      rows.push([`ingest ${fmt(n)}: meetings/s`, fmt(syncRate), fmt(bareRate), `${fmt((syncRate / bareRate) * 100)}% of ceiling`, '>= 50%']);
      rows.push([`ingest ${fmt(n)}: transcript rows/s`, fmt(syncSegs / (r.duration_ms / 1000)), fmt(bare.segs / (bare.insertMs / 1000)), `${fmt((syncRate / bareRate) * 100)}% of ceiling`, '>= 50%']);
      const pageSize = 10;
      const minimum = Math.ceil(n / pageSize);
      rows.push([`requests ${fmt(n)}`, `${r.requests} (${r.retries} retries)`, `${minimum} minimum`, ratio(r.requests - r.retries, minimum), '<= 1.20x']);
      rss[n] = sync.rssKb;
      syncedDb[n] = path.join(home, 'data', 'fathom-sync.db');
      rows.push([`peak RSS ${fmt(n)}`, `${fmt(sync.rssKb / 1024, 1)} MiB`, '', '', '']);
      // The read side on the largest database: search, export, talk time (scripts/bench-read.mjs).
      if (n === Math.max(...sizes)) rows.push(...(await readFigures(path.join(home, 'data', 'fathom-sync.db'), { ingestMs: r.duration_ms })));
    } finally {
      server.stop();
    }
  }
  if (figures.has('ingest') && sizes.length >= 2) {
    const [a, b] = [sizes[0], sizes[sizes.length - 1]];
    rows.push([`peak RSS growth ${fmt(a)} -> ${fmt(b)}`, `${fmt(rss[b] / 1024, 1)} MiB`, `${fmt(rss[a] / 1024, 1)} MiB`, ratio(rss[b], rss[a]), `< 1.5x for ${b / a}x`]);
  }

  // 3b. Requests when the server lists source by source, or shuffled across pages.
  for (const order of ['sources', 'shuffled']) {
    const n = sizes[0];
    log(`bench: requests, ${n} meetings listed ${order}`);
    const server = await startServer(['--meetings', String(n), '--segments', '5', '--rate-window-ms', '60000', '--global-limit', '1000000', '--heavy-limit', '1000000', '--pending-fraction', '0', '--seed', '42', '--order', order]);
    try {
      const r = (await runCliMeasured(['run', '--all', '--json', '--quiet'], envFor(server, path.join(work, `home-${order}`)))).result;
      const minimum = Math.ceil(n / 10);
      rows.push([`requests ${fmt(n)}, listed ${order}`, `${r.requests} (${r.retries} retries)`, `${minimum} minimum`, ratio(r.requests - r.retries, minimum), '<= 1.20x']);
    } finally {
      server.stop();
    }
  }

  // 4. Compressed rate window: heavy 10 per 2 s (global 20 per 2 s), 50 heavy pages.
  if (figures.has('rate')) {
    const limit = 10;
    const windowMs = 2000;
    const meetings = 500;
    log(`bench: rate window ${limit} heavy requests / ${windowMs} ms, ${meetings} meetings`);
    const server = await startServer(['--meetings', String(meetings), '--segments', '5', '--pending-fraction', '0', '--rate-window-ms', String(windowMs), '--heavy-limit', String(limit), '--global-limit', String(limit * 2)]);
    try {
      const sync = await runCliMeasured(['run', '--all', '--json', '--quiet'], envFor(server, path.join(work, 'home-rate')));
      const requests = sync.result.requests;
      // Fixed windows from the first request: the last request can go at the start of window ceil(R/L).
      const bound = (Math.ceil(requests / limit) - 1) * windowMs;
      rows.push(['rate window: wall time', `${fmt(sync.result.duration_ms)} ms`, `${fmt(bound)} ms bound`, ratio(sync.result.duration_ms, bound), '<= 1.10x']);
      rows.push(['rate window: 429s received', String(sync.result.rate_limited), '0', '', '0']);
    } finally {
      server.stop();
    }
  }

  // 4b. Ingest into PostgreSQL vs a minimal multi-row insert loop with the same driver.
  if (figures.has('pg')) {
    const pgServer = await benchPgServer(root);
    try {
      for (const n of sizes) {
        log(`bench: PostgreSQL, ${n} meetings x ${segments} segments`);
        const server = await startServer(['--meetings', String(n), '--segments', String(segments), '--rate-window-ms', '60000', '--global-limit', '1000000', '--heavy-limit', '1000000', '--pending-fraction', '0', '--seed', '42']);
        try {
          const syncUrl = await createDatabase(pgServer.url, `bench_sync_${n}`);
          const sync = await runCliMeasured(['run', '--all', '--json', '--quiet', '--db', syncUrl], envFor(server, path.join(work, `home-pg-${n}`)));
          const bare = await bareInsertPg(root, server, await createDatabase(pgServer.url, `bench_bare_${n}`), fetchJson);
          const syncRate = sync.result.meetings_new / (sync.result.duration_ms / 1000);
          const bareRate = bare.meetings / (bare.insertMs / 1000);
          rows.push([`PostgreSQL ingest ${fmt(n)}: meetings/s`, fmt(syncRate), `${fmt(bareRate)} (multi-row INSERT loop)`, ratio(syncRate, bareRate), '>= 0.5x']);
        } finally {
          server.stop();
        }
      }
    } finally {
      await pgServer.stop();
    }
  }

  // 5. Start-up.
  if (figures.has('startup')) {
    timeProcess(['-e', '0'], 3); // warm the file cache
    const base = timeProcess(['-e', '0'], 15);
    const help = timeProcess([cli, '--help'], 15);
    rows.push(['start-up: fathom-sync --help', `${fmt(help, 1)} ms`, `${fmt(base, 1)} ms (node -e 0)`, ratio(help, base), '<= 1.6x']);
  }

  // 6. search_meetings through an MCP client vs the bare query, on the same database.
  if (figures.has('mcp')) {
    let db = process.env.BENCH_MCP_DB ? path.resolve(process.env.BENCH_MCP_DB) : syncedDb[mcpMeetings];
    if (!db) {
      log(`bench: syncing ${mcpMeetings} meetings x ${segments} segments for the mcp figure`);
      const server = await startServer(['--meetings', String(mcpMeetings), '--segments', String(segments), '--rate-window-ms', '60000', '--global-limit', '1000000', '--heavy-limit', '1000000', '--pending-fraction', '0', '--seed', '42']);
      try {
        const home = path.join(work, 'home-mcp');
        await runCliMeasured(['run', '--all', '--json', '--quiet'], envFor(server, home));
        db = path.join(home, 'data', 'fathom-sync.db');
      } finally {
        server.stop();
      }
    }
    log(`bench: search_meetings over ${db}`);
    const m = await measureMcpSearch(db);
    for (const [set, r] of Object.entries(m.sets)) {
      const label = `mcp search_meetings, ${fmt(m.meetings)} meetings, ${set} words (${fmt(r.minMatches)}-${fmt(r.maxMatches)} matches)`;
      rows.push([`${label}: median`, `${fmt(r.client, 1)} ms`, `${fmt(r.bare, 1)} ms (searchMeetings in-process)`, ratio(r.client, r.bare), '< 30 ms']);
      rows.push([`${label}: p90`, `${fmt(r.clientP90, 1)} ms`, `${fmt(r.bareP90, 1)} ms`, ratio(r.clientP90, r.bareP90), '']);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

const header = ['figure', 'fathom-sync', 'baseline (same run)', 'ratio', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(`\nnode ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
