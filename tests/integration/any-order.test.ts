import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom, type FullMeeting } from '../../src/fake-server/server.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { describeTargets, type TestDatabase } from '../helpers/targets.js';

/**
 * Every run mode under every order the fake server can list meetings in: newest first, source by
 * source (each newest recording first, as a real Fathom cursor suggests), and shuffled across
 * pages. Each test compares the database with the server's full list (tests/helpers/truth.ts). The
 * pages are small (4 meetings) so that every mode reads many of them, and some meetings are
 * recorded by customers who share them: listed only when recorded_by[] names their recorder.
 * Everything runs on both storage targets (tests/helpers/targets.ts).
 */

const NOW = '2026-11-20T12:00:00Z';
const DAY = 24 * 3600 * 1000;
const ORDERS = ['newest', 'sources', 'shuffled'] as const;
const JANE = 'jane.smith@acme.com';
/**
 * Limits that never bind, announced in RateLimit-* headers: without headers the client paces
 * itself at Fathom's documented 30 heavy calls a minute, and these runs make more.
 */
const GENEROUS = { global: { limit: 1_000_000, windowMs: 60_000 }, heavy: { limit: 1_000_000, windowMs: 60_000 } };

const created = (m: { created_at: string }) => Date.parse(m.created_at);
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const stored = async (db: TestDatabase) => new Set((await db.rows<{ recording_id: number }>('SELECT recording_id FROM meetings')).map((r) => r.recording_id));

/**
 * What the state claims must hold: every meeting created from the pending backfill's `before` up
 * to the bookmark is stored (all of them when nothing is pending), whatever the order pages came in.
 */
async function expectStateHonest(db: TestDatabase, truth: FullMeeting[]): Promise<void> {
  const [state] = await db.rows<{ backfill_before: string | null; bookmark: string | null }>('SELECT backfill_before, bookmark FROM sync_state');
  const have = await stored(db);
  const from = state!.backfill_before === null ? -Infinity : Date.parse(state!.backfill_before);
  const upTo = state!.bookmark === null ? -Infinity : Date.parse(state!.bookmark);
  const missing = truth.filter((m) => created(m) >= from && created(m) <= upTo && !have.has(m.recording_id));
  expect(missing.map((m) => `${m.recording_id} ${m.created_at}`), `stored from ${state!.backfill_before} up to the bookmark ${state!.bookmark}`).toEqual([]);
}

describeTargets('any order', (target) => {
  describe.each(ORDERS)('every run mode when /meetings lists %s', (order) => {
    let server: FakeFathom;
    let home: ReturnType<typeof tempHome>;
    let env: NodeJS.ProcessEnv;
    let db: TestDatabase;

    beforeAll(async () => {
      server = await startFakeFathom({
        seed: 21,
        meetingCount: 160,
        now: Date.parse(NOW),
        spacingHours: 20,
        pageSize: 4,
        segmentsPerMeeting: [0, 6],
        pendingFraction: 0.03,
        outsiderShare: 0.1,
        order,
        rateLimit: GENEROUS,
      });
    });
    afterAll(() => server.close());
    beforeEach(async () => {
      home = tempHome();
      db = await target.fresh({ ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW });
      env = db.env;
      server.clearFaults();
      server.resetStats();
    });
    afterEach(async () => {
      home.cleanup();
      await target.cleanup();
    });
    /** Another fresh database, with a home of its own, for one run of a loop. */
    const freshElsewhere = (h: ReturnType<typeof tempHome>) => target.fresh({ ...env, FATHOM_SYNC_HOME: h.baseEnv.FATHOM_SYNC_HOME });

    it('the server lists the meetings in this order (the test would prove nothing otherwise)', async () => {
      const r = await runCli(['run', '--all', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const sent = server.meetings();
      expect(sent.some((m) => m.recorded_by.email === JANE)).toBe(false);
      expect(server.outsideRecorders().find((o) => o.email === JANE)!.meetings).toBeGreaterThan(3);
      await db.expectMatches(sent);
      await db.expectConsistent();
    });

    it('quick: the last 30 days', async () => {
      const r = await runCli(['run', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r.stdout)).toMatchObject({ mode: 'quick', slices: 1, bookmark: new Date(NOW).toISOString() });
      const truth = server.meetings().filter((m) => created(m) >= Date.parse(NOW) - 30 * DAY);
      expect(truth.length).toBeGreaterThan(20);
      await db.expectMatches(truth);
    });

    it('--all stopped part way, then finished by --incremental runs alone, the recorder outside the organisation included', async () => {
      expect((await runCli(['config', 'add-recorder', JANE], env)).code).toBe(0);
      const truth = server.meetings({ alsoRecordedBy: [JANE] });
      // The server fails every request after the 9th /meetings page: --all stops part way (exit 5).
      server.injectFaults({ kind: 'status', status: 503, count: 1000, path: '/meetings', after: 9 });
      const stopped = await runCli(['run', '--all', '--json'], env);
      server.clearFaults();
      expect(stopped.code, stopped.stderr).toBe(5);
      const partial = (await stored(db)).size;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(truth.length);
      expect(await db.rows('SELECT backfill_from, CASE WHEN backfill_before IS NULL THEN 0 ELSE 1 END AS pending FROM sync_state')).toEqual([{ backfill_from: null, pending: 1 }]);
      await expectStateHonest(db, truth);

      // The hourly job, and only it, from here: each run its own window, then whole slices of the gap.
      const runs: Array<Record<string, any>> = [];
      for (let hour = 1; hour <= 12; hour++) {
        const at = new Date(Date.parse(NOW) + hour * 3600_000).toISOString();
        const r = await runCli(['run', '--incremental', '--json'], { ...env, FATHOM_SYNC_NOW: at });
        expect(r.code, r.stderr).toBe(0);
        const out = json(r.stdout);
        expect(out.recorders).toEqual([JANE]);
        runs.push(out);
        await expectStateHonest(db, truth);
        if (out.backfill?.remaining === null) break;
      }
      const last = runs.at(-1)!;
      expect(last.backfill).toMatchObject({ remaining: null, error: null });
      expect(runs.length).toBeGreaterThan(1);
      for (const run of runs) expect(run.backfill.pages).toBeLessThanOrEqual(20);
      await db.expectMatches(truth);
      await db.expectConsistent();
      expect((await runCli(['run', '--incremental', '--json'], { ...env, FATHOM_SYNC_NOW: new Date(Date.parse(NOW) + 13 * 3600_000).toISOString() })).stdout).toMatch(/"backfill": null/);
    });

    it('--since/--until: exactly that range; --since alone: everything from then on', async () => {
      const all = server.meetings();
      const since = all[90]!.created_at.slice(0, 10);
      const until = all[30]!.created_at.slice(0, 10);
      const lo = Date.parse(`${since}T00:00:00Z`);
      const hi = Date.parse(`${until}T00:00:00Z`) + DAY - 1;
      const r = await runCli(['run', '--since', since, '--until', until, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      await db.expectMatches(all.filter((m) => created(m) >= lo && created(m) <= hi));
      // Every request asked for part of the range, and no more than a second either side.
      for (const q of server.requests.filter((x) => x.path === '/meetings')) {
        expect(Date.parse(q.query.get('created_after')!)).toBeGreaterThanOrEqual(lo - 1000);
        expect(Date.parse(q.query.get('created_before')!)).toBeLessThanOrEqual(hi + 1000);
      }

      const h = tempHome();
      try {
        const other = await freshElsewhere(h);
        const open = await runCli(['run', '--since', since, '--json'], other.env);
        expect(open.code, open.stderr).toBe(0);
        await other.expectMatches(all.filter((m) => created(m) >= lo));
        expect(await other.rows('SELECT backfill_before FROM sync_state')).toEqual([{ backfill_before: null }]);
      } finally {
        h.cleanup();
      }
    });

    it('--last N: the N newest by created_at, and only those', async () => {
      for (const n of [1, 9, 45]) {
        const h = tempHome();
        try {
          const other = await freshElsewhere(h);
          const r = await runCli(['run', '--last', String(n), '--json'], other.env);
          expect(r.code, r.stderr).toBe(0);
          expect(json(r.stdout)).toMatchObject({ mode: 'last', meetings_new: n, meetings_seen: n });
          await other.expectMatches(server.meetings().slice(0, n));
        } finally {
          h.cleanup();
        }
      }
    });

    it('--incremental: from the bookmark minus the lookback, new meetings picked up', async () => {
      const local = await startFakeFathom({ seed: 22, meetingCount: 60, now: Date.parse(NOW) - DAY, spacingHours: 20, pageSize: 4, segmentsPerMeeting: 2, pendingFraction: 0, order, rateLimit: GENEROUS });
      try {
        const e = { ...env, FATHOM_API_URL: local.url };
        const first = json((await runCli(['run', '--incremental', '--json'], e)).stdout);
        expect(first).toMatchObject({ mode: 'quick', requested_mode: 'incremental' });
        local.addMeetings(7);
        const later = '2026-11-21T12:00:00Z';
        const r = json((await runCli(['run', '--incremental', '--json'], { ...e, FATHOM_SYNC_NOW: later })).stdout);
        expect(r).toMatchObject({ mode: 'incremental', meetings_new: 7, slices: 1 });
        await db.expectMatches(local.meetings().filter((m) => created(m) >= Date.parse(NOW) - 30 * DAY));
      } finally {
        await local.close();
      }
    });
  });

  describe('a server that ignores the time filters', () => {
    afterEach(() => target.cleanup());
    it('stops with a clear error after 20 pages with nothing inside the slice, keeping the pages written', async () => {
      const server = await startFakeFathom({ seed: 4, meetingCount: 30, now: Date.parse(NOW), pageSize: 3, rateLimit: false });
      const home = tempHome();
      try {
        // A proxy route in place of /meetings: every page the same old meetings, a fresh cursor each time.
        let n = 0;
        const old = server.meetings().slice(-3);
        server.addRoute('GET', '/external/v1/meetings', (_req, res) => {
          n += 1;
          const body = JSON.stringify({ limit: 3, next_cursor: `endless-${n}`, items: old.map((m) => ({ ...m, created_at: '2019-01-01T00:00:00Z' })) });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(body);
        });
        const db = await target.fresh({ ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW });
        const r = await runCli(['run', '--all', '--json'], db.env);
        expect(r.code).toBe(1);
        expect(n).toBe(20);
        expect(r.stderr).toMatch(/^fathom-sync: Fathom sent 20 pages in a row with no meeting created from .* that it had not sent already, .*not applying the filters/m);
        expect(r.stderr).toMatch(/fix: .*FATHOM_API_URL/);
        expect(json(r.stdout)).toMatchObject({ status: 'failed', exit_code: 1 });
        expect(await db.rows('SELECT status FROM sync_runs')).toEqual([{ status: 'failed' }]);
        expect(await db.exists()).toBe(true);
        await db.expectConsistent();
      } finally {
        home.cleanup();
        await server.close();
      }
    });
  });
});
