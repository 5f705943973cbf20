import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import type { FakeFathom } from '../../src/fake-server/server.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { startOAuthFake } from '../helpers/connect.js';
import { connectOAuth } from '../helpers/oauth-session.js';
import { MeetingSchema } from '../../src/api/schemas.js';
import { SPEC_PATH, requestIssues } from '../helpers/openapi.js';
import { startPrism, type PrismServer } from '../helpers/prism.js';
import { startRecordingProxy, type Exchange, type RecordingProxy } from '../helpers/recording-proxy.js';
import { accountRun, type ModeRule, type ServedItem } from '../helpers/served-meetings.js';
import { query } from '../helpers/truth.js';

// Every test here runs the CLI several times against Prism, whose random data costs CPU: ~10 s
// alone, several times that beside the rest of the suite on two cores. A bound well above that (not
// the suite's 60 s), so a busy machine never cuts runs short and leaves them sending requests into
// the next test's recording.
vi.setConfig({ testTimeout: 300_000 });

/**
 * The CLI against `prism mock -d` on the spec: random data the spec allows, generated afresh
 * for every request (negative recording_ids, nulls wherever nullable, unknown fields, dates
 * from any century, 0-5 items a page, a random next_cursor that is null about half the time).
 * A recording proxy between the CLI and Prism counts what Prism served; the database says what
 * the CLI did with it; served-meetings.ts judges each item by the spec.
 *
 * Prism runs with --errors, so a request that breaks the spec (a query parameter, a missing API
 * key header) is answered with an error and fails the run; its log is read for violations as
 * well. Prism 5.14 does not check `name[]` array parameters or flag undeclared ones, so every
 * request is also checked against the spec's parameters here (requestIssues).
 *
 * What each group proves:
 * - random runs: tolerance equals the contract on real traffic, every time slice is read to its
 *   last page and the slices tile the window, what each mode takes is stored, requests are valid
 *   (API key; OAuth in its own group);
 * - edge ids: zero, negative and extreme safe ids go through every table, index and
 *   /recordings/{id} path, deterministically (Prism's static example, `Prefer: dynamic=false`);
 * - termination: a repeated cursor (Prism's static example repeats its own) stops the run; an
 *   endless chain of fresh cursors, which a server that ignores the time filters serves, stops
 *   every mode with an error that says so;
 * - error answers the spec declares (`Prefer: code=401|400`): the right exit code, nothing stored.
 *
 * Prism's data is not seeded on purpose: a seeded Prism (--seed) answers every request with
 * the same bytes, cursor included, which only the repeated-cursor guard would see. What a
 * failure needs to be reproduced is written to a file whose path is in the failure message:
 * FATHOM_CONTRACT_SEED (it picks the modes, dates and filters), every exchange, Prism's log.
 */

const SEED = Number(process.env.FATHOM_CONTRACT_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FATHOM_CONTRACT_RUNS ?? 10);
const API_KEY = 'contract-test-key';

let prism: PrismServer;
let recorder: RecordingProxy;

beforeAll(async () => {
  prism = await startPrism(['mock', '-d', '--errors', SPEC_PATH]);
  recorder = await startRecordingProxy(prism.url);
});
afterAll(async () => {
  await recorder?.close();
  await prism?.stop();
});

/** mulberry32: the modes, dates and filters of the runs come from SEED. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FILTERS = ['--recorded-by', 'ceo@acme.com', '--recorded-by', 'pm@acme.com', '--team', 'Sales', '--team', 'Customer Success', '--domain', 'acme.com', '--domain', 'client.com', '--meeting-type', 'Quarterly Business Review'];

interface PlannedRun {
  args: string[];
  rule: ModeRule;
  filtered: boolean;
  /** The recording proxy stretches Prism's chain to at least this many pages (see chainAtLeast). */
  minPages?: number;
}

function planRun(i: number, random: () => number): PlannedRun {
  const filtered = random() < 0.5;
  const extra = filtered ? [...FILTERS, random() < 0.5 ? '--external-only' : '--internal-only'] : [];
  // Prism's dates run over roughly 1890-2030; a --since in the future is allowed too.
  const year = () => 1900 + Math.floor(random() * 125);
  switch (i % 4) {
    case 0:
      return { args: ['--all', ...extra], rule: { mode: 'all' }, filtered, minPages: 2 + Math.floor(random() * 5) };
    case 1: {
      const n = 1 + Math.floor(random() * 12);
      return { args: ['--last', String(n), ...extra], rule: { mode: 'last', last: n }, filtered };
    }
    case 2: {
      const since = `${year()}-01-01`;
      return { args: ['--since', since, ...extra], rule: { mode: 'range', since: Date.parse(`${since}T00:00:00Z`) }, filtered };
    }
    default: {
      const a = Math.min(year(), 2020);
      const b = Math.min(a + 1 + Math.floor(random() * 60), 2026);
      return {
        args: ['--since', `${a}-01-01`, '--until', `${b}-12-31`, ...extra],
        rule: { mode: 'range', since: Date.parse(`${a}-01-01T00:00:00Z`), until: Date.parse(`${b}-12-31T23:59:59.999Z`) },
        filtered,
      };
    }
  }
}

/**
 * A rewrite for the recording proxy: Prism ends a chain (next_cursor null) on about every other
 * page; below `pages` pages a null becomes a fresh cursor, so a run sees more of Prism's data.
 * Prism's own cursors are lorem words, which repeat within a chain now and then (and a client
 * rightly stops at a repeated cursor): each gets the page's number, so every cursor is fresh.
 * `Infinity` makes the chain endless.
 */
function chainAtLeast(pages: number): (e: { path: string; json: unknown }) => unknown {
  let served = 0;
  return (e) => {
    if (e.path !== '/meetings') return undefined;
    served += 1;
    const body = e.json as { next_cursor?: string | null };
    if (body.next_cursor) return { ...body, next_cursor: `${body.next_cursor} ${served}` };
    if (served >= pages) return undefined;
    return { ...body, next_cursor: `contract-chain-${served}` };
  };
}

/** Requests the CLI sent that are not what the spec (and the run's flags) call for. */
function requestProblems(exchanges: Exchange[], run: PlannedRun): string[] {
  const problems: string[] = [];
  for (const e of exchanges) {
    const q = e.query;
    problems.push(...requestIssues(e.method, e.path, q));
    if (e.status !== 200) problems.push(`${e.method} ${e.path}?${q} answered ${e.status}: ${e.body.slice(0, 400)}`);
    if (e.requestHeaders['x-api-key'] !== API_KEY) problems.push('no X-Api-Key header');
    // The daily read of Fathom's teams and their members (for talk time) is the one other call a sync makes.
    if (e.method === 'GET' && (e.path === '/teams' || e.path === '/team_members')) continue;
    if (e.path !== '/meetings') problems.push(`unexpected ${e.method} ${e.path}`);
    for (const inc of ['action_items', 'crm_matches', 'highlights', 'summary', 'transcript']) {
      if (q.get(`include_${inc}`) !== 'true') problems.push(`include_${inc} is ${q.get(`include_${inc}`)}`);
    }
    if (run.filtered) {
      const eq = (name: string, want: string[]) => {
        if (JSON.stringify(q.getAll(name)) !== JSON.stringify(want)) problems.push(`${name} = ${JSON.stringify(q.getAll(name))}`);
      };
      eq('recorded_by[]', ['ceo@acme.com', 'pm@acme.com']);
      eq('teams[]', ['Sales', 'Customer Success']);
      eq('calendar_invitees_domains[]', ['acme.com', 'client.com']);
      eq('meeting_type', ['Quarterly Business Review']);
      if (!['one_or_more_external', 'only_internal'].includes(q.get('calendar_invitees_domains_type') ?? '')) problems.push('no calendar_invitees_domains_type');
    }
    if (run.rule.since !== undefined && !q.get('created_after')) problems.push('no created_after');
    if (run.rule.until !== undefined && !q.get('created_before')) problems.push('no created_before');
  }
  return problems;
}

/** The database is whole: SQLite and both full-text indexes check out, child rows match. */
function databaseProblems(dbFile: string): string[] {
  const db = new Database(dbFile);
  try {
    const problems: string[] = [];
    if (db.prepare('PRAGMA integrity_check').pluck().get() !== 'ok') problems.push('integrity_check failed');
    db.exec("INSERT INTO meetings_fts(meetings_fts) VALUES('integrity-check')");
    db.exec("INSERT INTO transcript_fts(transcript_fts) VALUES('integrity-check')");
    const rows = db.prepare('SELECT recording_id, raw_json, attendee_count, transcript_segment_count, action_item_count FROM meetings').all() as Record<string, any>[];
    const count = (table: string, id: number) => db.prepare(`SELECT COUNT(*) FROM ${table} WHERE recording_id = ?`).pluck().get(id);
    for (const r of rows) {
      const m = JSON.parse(r.raw_json);
      const want = { meeting_attendees: m.calendar_invitees?.length ?? 0, transcript_segments: m.transcript?.length ?? 0, action_items: m.action_items?.length ?? 0, highlights: m.highlights?.length ?? 0 };
      for (const [table, n] of Object.entries(want)) if (count(table, r.recording_id) !== n) problems.push(`recording ${r.recording_id}: ${count(table, r.recording_id)} ${table} rows, ${n} served`);
      if (r.attendee_count !== want.meeting_attendees || r.transcript_segment_count !== want.transcript_segments || r.action_item_count !== want.action_items) {
        problems.push(`recording ${r.recording_id}: counts in the meetings row differ from the payload`);
      }
    }
    return problems;
  } finally {
    db.close();
  }
}

/** Writes what a failed run needs to be reproduced; returns the file. */
function dumpFailure(name: string, data: unknown): string {
  const file = path.join(os.tmpdir(), `fathom-sync-contract-${name}-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 1));
  return file;
}

interface Totals {
  runs: number;
  pages: number;
  served: number;
  stored: number;
  skipped: number;
  dropped: number;
  storedNegative: number;
  storedZero: number;
}

/** One CLI run through the recording proxy with a fresh home; the proxy's options are reset after. */
async function runThrough(args: string[], options: { rewrite?: ReturnType<typeof chainAtLeast>; prefer?: string; env?: NodeJS.ProcessEnv } = {}) {
  const home = tempHome('fathom-sync-contract-');
  const env = options.env ?? { ...home.baseEnv, FATHOM_API_URL: recorder.url, FATHOM_API_KEY: API_KEY };
  recorder.exchanges.length = 0;
  recorder.options.rewrite = options.rewrite;
  recorder.options.requestHeaders = options.prefer ? { prefer: options.prefer } : undefined;
  const mark = prism.mark();
  try {
    const r = await runCli(['run', ...args, '--json'], env);
    let out: Record<string, any> = {};
    try {
      out = JSON.parse(r.stdout) as Record<string, any>;
    } catch {
      // not JSON: the caller reports the exit code and stderr
    }
    const dbFile = args.includes('--db') ? args[args.indexOf('--db') + 1]! : dbPath(env);
    const rows = fs.existsSync(dbFile) ? query<Record<string, any>>(dbFile, 'SELECT recording_id, raw_json, content_complete FROM meetings') : [];
    return { r, out, dbFile, rows, exchanges: [...recorder.exchanges], violations: prism.violations(mark), log: prism.log().slice(mark), cleanup: home.cleanup };
  } finally {
    recorder.options.rewrite = undefined;
    recorder.options.requestHeaders = undefined;
  }
}

describe('the CLI against prism mock -d (random data the spec allows)', () => {
  it(`stores or rightly skips every meeting Prism serves, reads every time slice to its last page and no further, sends only valid requests (${RUNS} runs)`, async () => {
    const random = rng(SEED);
    const totals: Totals = { runs: 0, pages: 0, served: 0, stored: 0, skipped: 0, dropped: 0, storedNegative: 0, storedZero: 0 };
    for (let i = 0; i < RUNS; i++) {
      const plan = planRun(i, random);
      const run = await runThrough(plan.args, { rewrite: chainAtLeast(plan.minPages ?? 0) });
      const problems: string[] = [];
      let served: ServedItem[] = [];
      try {
        if (run.r.code !== 0) problems.push(`exit ${run.r.code}: ${run.r.stderr.slice(-800)}`);
        problems.push(...requestProblems(run.exchanges, plan));
        problems.push(...run.violations.map((v) => `Prism: ${v.location} ${v.message}`));
        if (run.r.code === 0) {
          const account = accountRun({ rule: plan.rule, exchanges: run.exchanges, dbFile: run.dbFile, runId: run.out.run_id });
          served = account.served;
          problems.push(...account.problems, ...databaseProblems(run.dbFile));
          const { out } = run;
          if (out.status !== 'ok' || out.pages !== account.pages || out.requests !== account.pages || out.items_skipped !== served.filter((s) => s.outcome === 'skipped').length) {
            problems.push(`--json says ${JSON.stringify({ status: out.status, pages: out.pages, requests: out.requests, items_skipped: out.items_skipped })}`);
          }
          const stored = new Set(served.filter((s) => s.outcome === 'stored').map((s) => s.item.recording_id as number));
          totals.storedNegative += [...stored].filter((id) => id < 0).length;
          totals.storedZero += [...stored].filter((id) => id === 0).length;
          totals.pages += account.pages;
        }
      } finally {
        run.cleanup();
      }
      if (problems.length) {
        const file = dumpFailure('mock', { seed: SEED, run: i, args: plan.args, problems, stdout: run.r.stdout, stderr: run.r.stderr, exchanges: run.exchanges, prismLog: run.log });
        expect.fail(`run ${i} (FATHOM_CONTRACT_SEED=${SEED}): fathom-sync run ${plan.args.join(' ')}\n  ${problems.slice(0, 15).join('\n  ')}\nexchanges and Prism's log: ${file}`);
      }
      totals.runs += 1;
      totals.served += served.length;
      for (const x of served) totals[x.outcome] += 1;
    }
    console.log(`prism mock -d, FATHOM_CONTRACT_SEED=${SEED}: ${JSON.stringify(totals)}`);
    expect(totals.served).toBeGreaterThan(0);
    expect(totals.stored).toBeGreaterThan(0);
  });
});

/** Recording ids at the edges: what the spec allows (any integer) and one JavaScript cannot hold. */
const EDGE_IDS = [0, -5, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 2 ** 53];

/**
 * A rewrite that answers /meetings with one last page: the spec's example meeting (from Prism's
 * static answer, Prefer: dynamic=false) once per edge id, a minute apart.
 */
function edgePage(e: { path: string; json: unknown }): unknown {
  if (e.path !== '/meetings') return undefined;
  const example = (e.json as { items: Record<string, unknown>[] }).items[0]!;
  const items = EDGE_IDS.map((id, i) => ({ ...example, recording_id: id, created_at: new Date(Date.parse('2025-03-01T17:01:30Z') - i * 60_000).toISOString() }));
  return { limit: null, next_cursor: null, items };
}

describe('recording ids at the edges of the spec (API key)', () => {
  it('zero, negative and the extreme safe integers are stored, sorted and indexed; 2^53 is skipped for the reason that it cannot be held', async () => {
    const run = await runThrough(['--all'], { prefer: 'dynamic=false', rewrite: edgePage });
    try {
      expect(run.r.code, run.r.stderr).toBe(0);
      expect(run.out).toMatchObject({ status: 'ok', meetings_new: 4, items_skipped: 1 });
      expect(query(run.dbFile, 'SELECT recording_id FROM meetings ORDER BY created_at DESC, recording_id DESC').map((r: any) => r.recording_id)).toEqual(EDGE_IDS.slice(0, 4));
      expect(query(run.dbFile, 'SELECT recording_id, reason FROM skipped_items')).toEqual([{ recording_id: null, reason: expect.stringContaining('recording_id') }]);
      // Every child table and both full-text indexes take the ids (meetings_fts uses them as rowids).
      for (const table of ['meeting_attendees', 'transcript_segments', 'action_items', 'highlights']) {
        expect(query(run.dbFile, `SELECT DISTINCT recording_id FROM ${table} ORDER BY recording_id`).map((r: any) => r.recording_id), table).toEqual([...EDGE_IDS.slice(0, 4)].sort((a, b) => a - b));
      }
      expect(query(run.dbFile, "SELECT rowid FROM meetings_fts WHERE meetings_fts MATCH 'quarterly' ORDER BY rowid").map((r: any) => r.rowid)).toEqual([...EDGE_IDS.slice(0, 4)].sort((a, b) => a - b));
      expect(databaseProblems(run.dbFile)).toEqual([]);
      expect(run.violations).toEqual([]);
    } finally {
      run.cleanup();
    }
  });
});

describe('how a sync ends against the mock', () => {
  it("the spec's own example (Prefer: dynamic=false) repeats its next_cursor on every page: the repeated-cursor guard stops --all after two pages", async () => {
    const run = await runThrough(['--all'], { prefer: 'dynamic=false' });
    try {
      const pages = run.exchanges.filter((e) => e.path === '/meetings');
      const example = pages[0]!.json as { next_cursor: string; items: { created_at: string }[] };
      // The first request has no cursor; the second sends the example's; the third would repeat it.
      expect(pages.map((p) => p.query.get('cursor'))).toEqual([null, example.next_cursor]);
      expect(run.r.code, run.r.stderr).toBe(1);
      expect(run.out).toMatchObject({ status: 'failed', error: expect.stringContaining('cursor it had already returned') });
      // The first slice is the last 30 days; the example's meeting is older, so it waits for a later slice.
      expect(Date.parse(example.items[0]!.created_at)).toBeLessThan(Date.now() - 31 * 24 * 3600_000);
      expect(run.rows).toEqual([]);
      expect(query(run.dbFile, 'SELECT status, meetings_new FROM sync_runs')).toEqual([{ status: 'failed', meetings_new: 0 }]);
      expect(run.violations).toEqual([]);
    } finally {
      run.cleanup();
    }
  });

  /**
   * Prism ignores created_after / created_before and, with chainAtLeast(Infinity), never ends a
   * chain: no slice can be read to its end, so no mode can know it has every meeting. Every mode
   * stops once 20 pages in a row bring nothing new inside the slice asked for (exit 1, saying
   * why), and keeps the pages written: only meetings inside that slice (the first: the last 30
   * days, or 7 for --last, and after), and for --last none, since no window was read to its end.
   */
  it.each([
    ['--all', 30],
    ['--since', 30],
    ['--last', 7],
  ])('%s ends by itself against an endless chain of fresh cursors, with an error that says why', async (mode, days) => {
    const args = mode === '--since' ? ['--since', '2000-01-01'] : mode === '--last' ? ['--last', '7'] : ['--all'];
    const started = Date.now();
    const run = await runThrough(args, { rewrite: chainAtLeast(Infinity) });
    try {
      expect(run.r.code, run.r.stderr).toBe(1);
      expect(run.r.stderr).toMatch(/^fathom-sync: Fathom sent 20 pages in a row with no meeting created from .* that it had not sent already, .*not applying the filters/m);
      expect(run.out).toMatchObject({ status: 'failed', exit_code: 1 });
      const pages = run.exchanges.filter((e) => e.path === '/meetings');
      expect(pages.length).toBeGreaterThanOrEqual(20);
      expect(pages.every((p) => p.query.get('created_after') !== null)).toBe(true);
      const from = Date.parse(pages[0]!.query.get('created_after')!) + 1000;
      expect(from).toBeGreaterThan(started - (days + 1) * 24 * 3600_000);
      const inSlice = new Set(
        pages.flatMap((p) => ((p.json as { items: Record<string, unknown>[] }).items ?? []).filter((m) => MeetingSchema.safeParse(m).success && Date.parse(m.created_at as string) >= from).map((m) => m.recording_id)),
      );
      const stored = run.rows.map((r) => r.recording_id);
      if (mode === '--last') expect(stored).toEqual([]);
      else expect(stored.every((id) => inSlice.has(id))).toBe(true);
      expect(query(run.dbFile, 'SELECT status FROM sync_runs')).toEqual([{ status: 'failed' }]);
      expect(run.violations).toEqual([]);
    } finally {
      run.cleanup();
    }
  });
});

describe('error answers the spec declares (Prefer: code=...)', () => {
  it.each([
    ['401', 4, /rejected the credential/],
    ['400', 1, /answered 400/],
  ])('%s ends the run with exit %i and stores nothing', async (code, exit, message) => {
    const run = await runThrough(['--last', '3'], { prefer: `code=${code}` });
    try {
      expect(run.r.code, run.r.stderr).toBe(exit);
      expect(run.r.stderr).toMatch(message);
      expect(run.rows).toEqual([]);
      expect(run.exchanges.map((e) => e.status)).toEqual([Number(code)]);
      expect(run.violations).toEqual([]);
    } finally {
      run.cleanup();
    }
  });
});

describe('under OAuth: summary and transcript per recording, from the mock', () => {
  let fake: FakeFathom;
  let oauth: FakeOAuth;
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // The fake serves only the authorize and token endpoints here; the API is Prism's.
    ({ fake, oauth } = await startOAuthFake({ fake: { meetingCount: 1, rateLimit: false } }));
    home = tempHome('fathom-sync-contract-oauth-');
    env = await connectOAuth(fake, oauth, recorder.url, home.baseEnv);
  });
  afterAll(async () => {
    home?.cleanup();
    await fake?.close();
  });

  it('asks /recordings/0/..., /recordings/-5/... and the extreme ids for their content, and stores it', async () => {
    const db = path.join(home.home, 'oauth-edges.db');
    const run = await runThrough(['--all', '--db', db], { env, prefer: 'dynamic=false', rewrite: edgePage });
    try {
      expect(run.r.code, run.r.stderr).toBe(0);
      const stored = EDGE_IDS.slice(0, 4);
      const paths = run.exchanges.filter((e) => e.path.startsWith('/recordings/')).map((e) => `${e.path} ${e.status}`);
      expect(paths).toEqual(stored.flatMap((id) => [`/recordings/${id}/summary 200`, `/recordings/${id}/transcript 200`]));
      expect(run.exchanges.flatMap((e) => requestIssues(e.method, e.path, e.query))).toEqual([]);
      const rows = query<{ recording_id: number; summary_markdown: string; content_complete: number }>(db, 'SELECT recording_id, summary_markdown, content_complete FROM meetings ORDER BY created_at DESC');
      expect(rows.map((r) => [r.recording_id, r.content_complete])).toEqual(stored.map((id) => [id, 1]));
      expect(rows.every((r) => r.summary_markdown.startsWith('## Summary'))).toBe(true);
      expect(query(db, 'SELECT COUNT(*) AS n FROM transcript_segments')).toEqual([{ n: 4 }]);
      expect(run.violations).toEqual([]);
    } finally {
      run.cleanup();
    }
  });

  it('asks /recordings/{id}/summary and /transcript for each meeting it takes (negative ids too) and stores what fits the spec; an answer that does not is skipped with the reason', async () => {
    const totals = { runs: 0, meetings: 0, negative: 0, callbacks: 0, complete: 0 };
    for (let i = 0; i < 3; i++) {
      const db = path.join(home.home, `oauth-${i}.db`);
      const n = 4 + i;
      const run = await runThrough(['--last', String(n), '--db', db], { env, rewrite: chainAtLeast(0) });
      const problems: string[] = [];
      if (run.r.code !== 0) problems.push(`exit ${run.r.code}: ${run.r.stderr.slice(-800)}`);
      problems.push(...run.violations.map((v) => `Prism: ${v.location} ${v.message}`));
      for (const e of run.exchanges) {
        problems.push(...requestIssues(e.method, e.path, e.query));
        if (e.status !== 200) problems.push(`${e.method} ${e.path} answered ${e.status}`);
        if (!/^Bearer \S+$/.test(String(e.requestHeaders.authorization))) problems.push(`${e.path} without a Bearer token`);
        if (e.query.has('destination_url')) problems.push(`${e.path} sent destination_url`);
        if (e.path === '/meetings') {
          // Fathom refuses summary and transcript on /meetings under OAuth.
          for (const inc of ['summary', 'transcript']) if (e.query.has(`include_${inc}`)) problems.push(`/meetings with include_${inc} under OAuth`);
          for (const inc of ['action_items', 'crm_matches', 'highlights']) if (e.query.get(`include_${inc}`) !== 'true') problems.push(`/meetings without include_${inc}`);
        }
      }
      if (run.r.code === 0) {
        const account = accountRun({ rule: { mode: 'last', last: n }, exchanges: run.exchanges, dbFile: db, runId: run.out.run_id, oauth: true });
        problems.push(...account.problems);
        const skips = query<{ recording_id: number; reason: string }>(db, "SELECT recording_id, reason FROM skipped_items WHERE reason LIKE 'summary or transcript not%'");
        for (const row of run.rows) {
          const id = row.recording_id as number;
          const stored = JSON.parse(row.raw_json) as Record<string, unknown>;
          const ask = (part: string) => run.exchanges.find((e) => e.path === `/recordings/${id}/${part}`);
          const summary = ask('summary');
          const transcript = ask('transcript');
          const skip = skips.find((s) => s.recording_id === id);
          totals.meetings += 1;
          if (id < 0) totals.negative += 1;
          if (!summary) {
            problems.push(`recording ${id}: no /recordings/${id}/summary request`);
            continue;
          }
          const sBody = summary.json as Record<string, unknown>;
          if (!('summary' in sBody)) {
            // Prism may pick the spec's other alternative, {destination_url}: the spec says that
            // answer comes only when destination_url was sent, and the client sent none.
            totals.callbacks += 1;
            if (transcript) problems.push(`recording ${id}: transcript asked after an unusable summary`);
            if (!skip?.reason.includes(`/recordings/${id}/summary`)) problems.push(`recording ${id}: the callback-shaped summary is not reported (${skip?.reason})`);
            if (stored.default_summary !== null || stored.transcript !== null || row.content_complete !== 0) problems.push(`recording ${id}: content stored from an unusable answer`);
            continue;
          }
          if (!isDeepStrictEqual(stored.default_summary, sBody.summary)) problems.push(`recording ${id}: stored summary differs from /summary`);
          const tBody = transcript?.json as Record<string, unknown> | undefined;
          if (!tBody) problems.push(`recording ${id}: no /recordings/${id}/transcript request`);
          else if (!('transcript' in tBody)) {
            totals.callbacks += 1;
            if (!skip?.reason.includes(`/recordings/${id}/transcript`)) problems.push(`recording ${id}: the callback-shaped transcript is not reported (${skip?.reason})`);
            if (stored.transcript !== null || row.content_complete !== 0) problems.push(`recording ${id}: transcript stored from an unusable answer`);
          } else {
            if (!isDeepStrictEqual(stored.transcript, tBody.transcript)) problems.push(`recording ${id}: stored transcript differs from /transcript`);
            if (skip) problems.push(`recording ${id}: skipped though both answers fit (${skip.reason})`);
            if (row.content_complete === 1) totals.complete += 1;
          }
        }
      }
      if (problems.length) {
        const file = dumpFailure('oauth', { run: i, problems, stdout: run.r.stdout, stderr: run.r.stderr, exchanges: run.exchanges });
        run.cleanup();
        expect.fail(`OAuth run ${i}: fathom-sync run --last ${n}\n  ${problems.slice(0, 15).join('\n  ')}\nexchanges: ${file}`);
      }
      run.cleanup();
      totals.runs += 1;
    }
    console.log(`prism mock -d under OAuth: ${JSON.stringify(totals)}`);
    expect(totals.meetings).toBeGreaterThan(0);
  });
});
