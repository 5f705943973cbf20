import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { accountEnv, expectAccountsSynced, pagesCommitted, partlySameMeetings, sequentialSnapshot, sharedMeetings } from '../helpers/accounts.js';
import { dbPath, runCli, startCli, collect, launch, tempHome } from '../helpers/cli.js';
import { startGateProxy } from '../helpers/gate-proxy.js';
import { describeTargets, expectSameContent, type TestDatabase } from '../helpers/targets.js';
import { unprivilegedRunner } from '../helpers/unprivileged.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The sync, on every storage target (tests/helpers/targets.ts): each suite below runs once into the
 * SQLite file and once into a PostgreSQL database. What is about SQLite files themselves (their
 * modes, a --db that is not one) is in the suites after those.
 */

const NOW = '2026-11-20T12:00:00Z';
const DAY = 24 * 3600 * 1000;

let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;

/** A server of its own for each suite: tests change its meetings (completeContent) and its fault stream. */
const startServer = async () => {
  server = await startFakeFathom({ seed: 3, meetingCount: 95, now: Date.parse(NOW), segmentsPerMeeting: [0, 40], pendingFraction: 0.05 });
};
beforeEach(() => {
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
  server.clearFaults();
  server.resetStats();
});
afterEach(() => home.cleanup());

const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const createdMs = (m: { created_at: string }) => Date.parse(m.created_at);

describeTargets('sync', (target) => {
  beforeAll(startServer);
  afterAll(() => server.close());
  /** This test's database; `env` (set up above) chooses it. */
  let db: TestDatabase;
  beforeEach(async () => {
    db = await target.fresh(env);
    env = db.env;
  });
  afterEach(() => target.cleanup());
  /** Another fresh database, with a home of its own, for one run of a loop. */
  const freshElsewhere = async (h: ReturnType<typeof tempHome>) => target.fresh({ ...env, FATHOM_SYNC_HOME: h.baseEnv.FATHOM_SYNC_HOME });

  describe('run --all', () => {
    it('stores every meeting exactly as the server has it, then a second run changes nothing', async () => {
      const first = await runCli(['run', '--all', '--json'], env);
      expect(first.stderr).not.toMatch(/\u001b\[/); // no ANSI when not a terminal
      expect(first.code, first.stderr).toBe(0);
      const result = json(first.stdout);
      expect(result).toMatchObject({ status: 'ok', mode: 'all', meetings_new: 95, meetings_updated: 0, items_skipped: 0, retries: 0, rate_limited: 0, database: db.db });
      // 10 pages of meetings, read as time slices: each slice's last page, and the empty slices that
      // reach back to the beginning, cost a few requests more.
      expect(result.requests).toBe(result.pages);
      expect(result.pages).toBeGreaterThanOrEqual(10);
      expect(result.pages).toBeLessThanOrEqual(13);
      expect(result.slices).toBeGreaterThan(1);
      expect(result.duration_ms).toBeGreaterThan(0);
      await db.expectMatches(server.meetings());
      await db.expectConsistent();

      const counts = async () => (await db.rows('SELECT (SELECT COUNT(*) FROM transcript_segments) s, (SELECT COUNT(*) FROM meeting_attendees) a, (SELECT COUNT(*) FROM action_items) ai, (SELECT COUNT(*) FROM contacts) c'))[0];
      const before = await counts();
      const content = await db.snapshot();
      const second = json((await runCli(['run', '--all', '--json'], env)).stdout);
      expect(second).toMatchObject({ meetings_new: 0, meetings_updated: 0, meetings_seen: 95 });
      expect(await counts()).toEqual(before);
      expectSameContent(await db.snapshot(), content);
      expect(await db.rows('SELECT status, mode, meetings_new FROM sync_runs ORDER BY id')).toEqual([
        { status: 'ok', mode: 'all', meetings_new: 95 },
        { status: 'ok', mode: 'all', meetings_new: 0 },
      ]);
    });

    it('prints plain progress lines and one summary line; --quiet prints nothing, --quiet --scheduled only the stamped summary', async () => {
      const r = await runCli(['run', '--all'], env);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^page 1: 10 meetings \(10 new, 0 updated\)/m);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toMatch(/^synced 95 meetings \(95 new, 0 updated\) in /);
      expect(r.stdout).toContain(db.db);
      // Three --all runs in a row: more heavy list calls than the fake's 30 a minute.
      server.resetRateLimits();
      const quiet = await runCli(['run', '--all', '--quiet'], env);
      expect(quiet.code).toBe(0);
      expect(quiet.stderr).toBe('');
      expect(quiet.stdout).toBe('');
      // The hourly job runs with --quiet --scheduled: its one line (for sync.log) carries a time stamp.
      server.resetRateLimits();
      const scheduled = await runCli(['run', '--all', '--quiet', '--scheduled'], env);
      expect(scheduled.code).toBe(0);
      expect(scheduled.stderr).toBe('');
      expect(scheduled.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ synced 95 meetings \(0 new, 0 updated\) in [^\n]*\n$/);
    });
  });

  describe('modes', () => {
    it('quick (the default) takes the last 30 days', async () => {
      const r = await runCli(['run', '--json'], env);
      expect(r.code).toBe(0);
      const cutoff = Date.parse(NOW) - 30 * DAY;
      const expected = server.meetings().filter((m) => createdMs(m) >= cutoff);
      expect(expected.length).toBeGreaterThan(10);
      expect(expected.length).toBeLessThan(95);
      await db.expectMatches(expected);
      expect(json(r.stdout).mode).toBe('quick');
    });

    it('--since/--until take exactly that range, a date alone being a whole day', async () => {
      const all = server.meetings();
      const since = all[40]!.created_at.slice(0, 10);
      const until = all[20]!.created_at.slice(0, 10);
      const r = await runCli(['run', '--since', since, '--until', until, '--json'], env);
      expect(r.code).toBe(0);
      const lo = Date.parse(`${since}T00:00:00Z`);
      const hi = Date.parse(`${until}T00:00:00Z`) + DAY - 1;
      await db.expectMatches(all.filter((m) => createdMs(m) >= lo && createdMs(m) <= hi));
      const sent = server.requests.filter((q) => q.path === '/meetings')[0]!.query;
      expect(sent.get('created_after')).toBe(new Date(lo - 1000).toISOString().replace('.000', ''));
    });

    it('--last N takes the N newest and stops fetching once it has them', async () => {
      const r = await runCli(['run', '--last', '23', '--json'], env);
      expect(json(r.stdout)).toMatchObject({ meetings_new: 23, pages: 3, requests: 3 });
      await db.expectMatches(server.meetings().slice(0, 23));
    });

    it('--incremental reads from the bookmark minus the lookback and picks up new meetings', async () => {
      const local = await startFakeFathom({ seed: 5, meetingCount: 40, now: Date.parse(NOW) - DAY, segmentsPerMeeting: 3, pendingFraction: 0 });
      try {
        const e = { ...env, FATHOM_API_URL: local.url };
        const firstRun = json((await runCli(['run', '--incremental', '--json'], e)).stdout);
        expect(firstRun).toMatchObject({ mode: 'quick', requested_mode: 'incremental' }); // no bookmark yet
        expect(Date.parse(firstRun.bookmark)).toBe(Date.parse(NOW));
        local.addMeetings(4);
        local.resetStats();
        const later = '2026-11-21T12:00:00Z';
        const r = json((await runCli(['run', '--incremental', '--json'], { ...e, FATHOM_SYNC_NOW: later })).stdout);
        expect(r).toMatchObject({ mode: 'incremental', meetings_new: 4 });
        expect(Date.parse(r.bookmark)).toBe(Date.parse(later));
        const sent = local.requests.find((q) => q.path === '/meetings')!.query;
        expect(sent.get('created_after')).toBe('2026-11-13T11:59:59Z'); // bookmark - 7 days - 1 s
        expect(sent.get('created_before')).toBeNull();
        const truth = local.meetings().filter((m) => createdMs(m) >= Date.parse(NOW) - 30 * DAY);
        await db.expectMatches(truth);
        const lookback = json((await runCli(['run', '--incremental', '--lookback', '2', '--json'], { ...e, FATHOM_SYNC_NOW: later })).stdout);
        // Every time fathom-sync writes has one form: milliseconds always, so text order is time order.
        expect(lookback.window_start).toBe('2026-11-19T12:00:00.000Z');
      } finally {
        await local.close();
      }
    });

    it('meetings listed before their summary was ready are completed by a later run', async () => {
      await runCli(['run', '--all'], env);
      const incomplete = () => db.rows('SELECT COUNT(*) n FROM meetings WHERE content_complete = 0');
      const pending = server.meetings().filter((m) => m.default_summary === null);
      // A summary with an empty transcript (nobody spoke) is finished, not pending.
      const silent = server.meetings().filter((m) => m.default_summary !== null && m.transcript?.length === 0);
      expect(pending.length).toBeGreaterThan(0);
      expect(silent.length).toBeGreaterThan(0);
      expect(await incomplete()).toEqual([{ n: pending.length }]);
      for (const m of pending) server.completeContent(m.recording_id);
      const r = json((await runCli(['run', '--incremental', '--json'], env)).stdout);
      expect(r.meetings_updated).toBe(pending.length);
      expect(await incomplete()).toEqual([{ n: 0 }]);
      await db.expectMatches(server.meetings());
      await db.expectConsistent();
    });

    it('a backfill never moves the bookmark backwards', async () => {
      await runCli(['run'], env);
      const bookmark = (await db.value<string>('SELECT bookmark FROM sync_state'));
      expect(Date.parse(bookmark)).toBe(Date.parse(NOW));
      await runCli(['run', '--since', '2026-01-01', '--until', '2026-06-01'], env);
      await runCli(['run', '--last', '3'], { ...env, FATHOM_SYNC_NOW: '2026-11-01T00:00:00Z' });
      expect(await db.rows('SELECT bookmark FROM sync_state')).toEqual([{ bookmark }]);
    });
  });

  describe('filters', () => {
    it('pass through to the API with [] array keys and store what matches; the bookmark stays put', async () => {
      const all = server.meetings();
      const email = all[0]!.recorded_by.email as string;
      const team = all.find((m) => m.recorded_by.team)!.recorded_by.team as string;
      const type = all.find((m) => m.meeting_type)!.meeting_type as string;
      const checks: Array<{ args: string[]; keep: (m: any) => boolean; param: [string, string] }> = [
        { args: ['--recorded-by', email], keep: (m) => m.recorded_by.email === email, param: ['recorded_by[]', email] },
        { args: ['--team', team], keep: (m) => m.recorded_by.team === team, param: ['teams[]', team] },
        { args: ['--external-only'], keep: (m) => m.calendar_invitees_domains_type === 'one_or_more_external', param: ['calendar_invitees_domains_type', 'one_or_more_external'] },
        { args: ['--internal-only'], keep: (m) => m.calendar_invitees_domains_type === 'only_internal', param: ['calendar_invitees_domains_type', 'only_internal'] },
        { args: ['--meeting-type', type], keep: (m) => m.meeting_type === type, param: ['meeting_type', type] },
      ];
      for (const c of checks) {
        const h = tempHome();
        try {
          const other = await freshElsewhere(h);
          server.resetStats();
          const r = await runCli(['run', '--all', ...c.args, '--json'], other.env);
          expect(r.code, r.stderr).toBe(0);
          const expected = all.filter(c.keep);
          expect(expected.length).toBeGreaterThan(0);
          await other.expectMatches(expected);
          expect(server.requests[0]!.query.getAll(c.param[0])).toEqual([c.param[1]]);
          expect(json(r.stdout).bookmark).toBeNull();
        } finally {
          h.cleanup();
        }
      }
    });

    it('--domain repeats the calendar_invitees_domains[] key', async () => {
      const r = await runCli(['run', '--all', '--domain', 'a.example', '--domain', 'b.example', '--json'], env);
      expect(r.code).toBe(0);
      expect(server.requests[0]!.query.getAll('calendar_invitees_domains[]')).toEqual(['a.example', 'b.example']);
    });
  });

  describe('faults', () => {
    it('rides out 429, 5xx, resets and truncated bodies without losing or duplicating anything', async () => {
      server.injectFaults(
        { kind: 'rate-limit', path: '/meetings', retryAfter: '1' },
        { kind: 'status', status: 503, path: '/meetings' },
        { kind: 'status', status: 500, path: '/meetings' },
        { kind: 'reset', path: '/meetings' },
        { kind: 'truncate', path: '/meetings' },
      );
      const r = await runCli(['run', '--all', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const out = json(r.stdout);
      expect(out).toMatchObject({ meetings_new: 95, rate_limited: 1, retries: 4 });
      expect(out.requests).toBe(out.pages + 5);
      expect(r.stderr).toMatch(/waiting 1s for the Fathom rate limit \(429 received\)/);
      expect(r.stderr).toMatch(/retrying in .* \(HTTP 503, attempt 1\)/);
      await db.expectMatches(server.meetings());
      await db.expectConsistent();
    });

    it('skips an invalid item, reports its id and reason, and keeps the rest of the page', async () => {
      server.injectFaults({ kind: 'invalid-item', path: '/meetings' });
      const r = await runCli(['run', '--all', '--json'], env);
      expect(r.code).toBe(0);
      expect(json(r.stdout)).toMatchObject({ items_skipped: 1, meetings_new: 94 });
      expect(r.stderr).toMatch(/warning: skipped recording .+: recording_id: /);
      expect(await db.value('SELECT COUNT(*) n FROM meetings')).toBe(94);
      expect(await db.rows('SELECT COUNT(*) n FROM skipped_items')).toEqual([{ n: 1 }]);
    });

    it('exits 5 when the server stays down, recording the failed run', async () => {
      server.injectFaults({ kind: 'status', status: 502, count: 100, path: '/meetings' });
      const r = await runCli(['run', '--all', '--json'], env);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/giving up after 5 retries: HTTP 502/);
      expect(json(r.stdout)).toMatchObject({ status: 'failed', exit_code: 5 });
      expect(await db.rows('SELECT status FROM sync_runs')).toEqual([{ status: 'failed' }]);
      expect(await db.rows('SELECT CASE WHEN last_error IS NULL THEN 0 ELSE 1 END AS e, bookmark FROM sync_state')).toEqual([{ e: 1, bookmark: null }]);
    });

    it('exits 4 for a rejected key and for no key at all, and both are in the run history', async () => {
      const { FATHOM_API_KEY: _, ...noKey } = env;
      const first = await runCli(['run'], noKey);
      expect(first.code).toBe(4);
      // A first run without a credential does not create a database just to record its failure.
      expect(await db.exists()).toBe(false);

      const bad = await runCli(['run', '--all'], { ...env, FATHOM_API_KEY: 'wrong' });
      expect(bad.code).toBe(4);
      expect(bad.stderr).toMatch(/rejected the credential.*401/);
      expect(bad.stderr).not.toContain('wrong');
      const none = await runCli(['run', '--incremental', '--scheduled'], noKey);
      expect(none.code).toBe(4);
      expect(none.stderr.split('\n')[0]).toMatch(/no Fathom credential/);
      const runs = await db.rows<{ id: number; trigger: string; mode: string; status: string; error: string }>('SELECT id, trigger, mode, status, error FROM sync_runs ORDER BY id');
      expect(runs.map((r) => [r.trigger, r.mode, r.status])).toEqual([
        ['manual', 'all', 'failed'],
        ['schedule', 'incremental', 'failed'],
      ]);
      expect(runs[1]!.error).toMatch(/^no Fathom credential/);
      expect(await db.rows('SELECT last_run_id, last_error FROM sync_state')).toEqual([{ last_run_id: runs[1]!.id, last_error: runs[1]!.error }]);
    });

    it('paces itself under a tight rate limit instead of collecting 429s', async () => {
      const tight = await startFakeFathom({
        seed: 9,
        meetingCount: 60,
        now: Date.parse(NOW),
        segmentsPerMeeting: 2,
        rateLimit: { global: { limit: 5, windowMs: 1000 }, heavy: { limit: 3, windowMs: 1000 } },
      });
      try {
        const r = await runCli(['run', '--all', '--json'], { ...env, FATHOM_API_URL: tight.url });
        expect(r.code, r.stderr).toBe(0);
        const out = json(r.stdout);
        expect(out).toMatchObject({ meetings_new: 60, rate_limited: 0, retries: 0 });
        expect(out.requests).toBe(out.pages);
        expect(tight.stats().rateLimited).toBe(0);
      } finally {
        await tight.close();
      }
    });
  });

  describe('a run killed at any instant', () => {
    /** kill -9 the CLI once the server has answered `requests` requests: wherever it is in its page loop. */
    const killOnceServed = async (child: ReturnType<typeof startCli>, server: FakeFathom, requests: number) => {
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (server.stats().requests >= requests) {
            clearInterval(check);
            resolve();
          }
        }, 5);
      });
      child.kill('SIGKILL');
    };

    it('a killed --all is finished by the hourly --incremental runs, a slice at a time', async () => {
      // One meeting a day for 400 days: the quick window holds about 30 of them.
      const big = await startFakeFathom({ seed: 12, meetingCount: 400, now: Date.parse(NOW), spacingHours: 24, segmentsPerMeeting: [1, 3], latencyMs: 30, rateLimit: false });
      try {
        const e = { ...env, FATHOM_API_URL: big.url };
        const child = startCli(['run', '--all'], e);
        const done = collect(child);
        await killOnceServed(child, big, 3);
        expect((await done).signal).toBe('SIGKILL');
        await waitFor(async () => !(await db.lockHeld()), "the killed run's lock to go");
        // Pages come in no order a client can trust, so the oldest meeting stored says nothing: the
        // whole stretch from the beginning up to the run's start is pending until slices of it are read.
        const pending = (await db.rows<{ backfill_from: string | null; backfill_before: string | null }>('SELECT backfill_from, backfill_before FROM sync_state'))[0]!;
        expect(pending).toEqual({ backfill_from: null, backfill_before: new Date(NOW).toISOString() });
        // status reads the SQLite file only (so far).
        if (target.name === 'sqlite') {
          const status = await runCli(['status'], e);
          expect(status.stdout).toContain(`Backfill:    unfinished; meetings from the beginning to ${NOW.slice(0, 10)} are read by the next incremental runs`);
        }

        // An hourly run whose backfill slice fails (only requests for an older window, which carry
        // created_before, are refused): the run itself succeeds, its own window (quick: no bookmark
        // yet) takes the top 30 days off the gap, and the rest stays for next time.
        big.injectFaults({ kind: 'status', status: 503, count: 100, path: '/meetings', withParam: 'created_before' });
        const failing = await runCli(['run', '--incremental', '--json'], e);
        big.clearFaults();
        expect(failing.code, failing.stderr).toBe(0);
        const gapTop = new Date(Date.parse(NOW) - 30 * DAY).toISOString();
        expect(json(failing.stdout)).toMatchObject({ status: 'ok', mode: 'quick', backfill: { pages: 0, remaining: { from: null, before: gapTop }, error: expect.stringMatching(/HTTP 503/) } });
        expect(failing.stderr).toMatch(/warning: could not continue the unfinished backfill \(.*\); the next incremental run tries again/);

        // The hourly job: its own window, then at most 20 pages of the backfill, in whole slices.
        const slices: Array<Record<string, any>> = [];
        for (let i = 0; i < 6 && (slices.length === 0 || slices.at(-1)!.remaining); i++) {
          const r = await runCli(['run', '--incremental', '--json'], e);
          expect(r.code, r.stderr).toBe(0);
          slices.push(json(r.stdout).backfill);
        }
        expect(slices.at(-1)!.remaining).toBeNull();
        expect(slices.length).toBeGreaterThan(1);
        for (const b of slices) {
          expect(b.error).toBeNull();
          expect(b.pages).toBeLessThanOrEqual(20);
        }
        // Each run moved the gap down (a slice at least), never up.
        const tops = slices.map((b) => b.remaining?.before ?? null).filter(Boolean);
        expect(tops).toEqual([...tops].sort().reverse());
        expect(Date.parse(tops[0]!)).toBeLessThan(Date.parse(gapTop));
        await db.expectMatches(big.meetings());
        await db.expectConsistent();
        expect(await db.rows('SELECT backfill_before FROM sync_state')).toEqual([{ backfill_before: null }]);
        if (target.name === 'sqlite') expect((await runCli(['status'], e)).stdout).not.toContain('Backfill:');
        expect((await db.rows<{ mode: string; status: string }>('SELECT mode, status FROM sync_runs ORDER BY id')).slice(0, 3)).toEqual([
          { mode: 'all', status: 'interrupted' },
          { mode: 'quick', status: 'ok' },
          { mode: 'resume', status: 'failed' },
        ]);
        // Nothing left: the next hourly run reads only its own window.
        expect(json((await runCli(['run', '--incremental', '--json'], e)).stdout).backfill).toBeNull();
      } finally {
        await big.close();
      }
    });

    it('leaves whole pages only, and the next run finishes the job', async () => {
      const slow = await startFakeFathom({ seed: 11, meetingCount: 200, now: Date.parse(NOW), segmentsPerMeeting: [50, 150], latencyMs: 30, rateLimit: false });
      try {
        const e = { ...env, FATHOM_API_URL: slow.url };
        const child = startCli(['run', '--all'], e);
        const done = collect(child);
        // Kill once several pages have been served: wherever the CLI is in its page loop.
        await killOnceServed(child, slow, 6);
        const killed = await done;
        expect(killed.signal).toBe('SIGKILL');
        const stored = await db.value('SELECT COUNT(*) n FROM meetings');
        // Whole pages of 10 (the first slice, the last 30 days, ends with a shorter page).
        const firstSlice = slow.meetings().filter((m) => createdMs(m) >= Date.parse(NOW) - 30 * DAY).length;
        expect(stored % 10 === 0 || stored === firstSlice, `${stored} stored`).toBe(true);
        expect(stored).toBeLessThan(200);
        // Every stored meeting has all its child rows (SQLite: and the file is whole).
        await db.expectConsistent();
        expect(await db.rows('SELECT bookmark FROM sync_state')).toEqual([{ bookmark: null }]);

        // PostgreSQL: the killed run's connection (and the lock it holds) may outlive it a moment.
        await waitFor(async () => !(await db.lockHeld()), "the killed run's lock to go");
        const again = await runCli(['run', '--all', '--json'], e);
        expect(again.code, again.stderr).toBe(0);
        expect(json(again.stdout).meetings_new).toBe(200 - stored);
        await db.expectMatches(slow.meetings());
        expect(await db.rows('SELECT status FROM sync_runs ORDER BY id')).toEqual([{ status: 'interrupted' }, { status: 'ok' }]);
      } finally {
        await slow.close();
      }
    });
  });

  describe('two accounts at once', () => {
    let both: FakeFathom;
    beforeAll(async () => {
      both = await startFakeFathom({ seed: 7, meetingCount: 60, now: Date.parse(NOW), segmentsPerMeeting: [2, 12], rateLimit: false, apiKeys: ['alice-key', 'bob-key'] });
    });
    afterAll(() => both.close());

    it('alice and bob, seeing partly the same meetings, write page for page together: each meeting once, each account its own', async () => {
      const accounts = partlySameMeetings(both.meetings(), { newer: 10, middle: 30, older: 50 });
      expect(sharedMeetings(accounts).length).toBeGreaterThanOrEqual(15);
      const h = tempHome();
      let sequential: Record<string, unknown[]>;
      try {
        sequential = await sequentialSnapshot(target, { ...env, FATHOM_SYNC_HOME: h.baseEnv.FATHOM_SYNC_HOME }, accounts, both.url);
      } finally {
        h.cleanup();
      }
      // One machine, two profiles: one home (SQLite: a lock file each, one database file).
      const runs = await Promise.all(
        accounts.map(async (account) => {
          const gate = await startGateProxy(both.url, (pathname) => pathname.endsWith('/meetings'));
          return { account, gate, ...launch(['run', ...account.args], accountEnv(env, account, gate.url)) };
        }),
      );
      try {
        // Their first pages let through together, each pair once both runs have written the one before.
        for (let page = 1; page <= 3; page++) {
          await Promise.all(runs.map((r) => r.gate.arrived(page)));
          await waitFor(async () => (await Promise.all(runs.map(async (r) => (await pagesCommitted(db, r.account.profile)) === page - 1))).every(Boolean), `both runs to commit page ${page - 1}`);
          for (const r of runs) r.gate.release();
        }
        for (const r of runs) r.gate.open();
        for (const r of await Promise.all(runs.map((x) => x.done))) expect(r.code, r.stderr).toBe(0);
      } finally {
        for (const r of runs) {
          r.child.kill('SIGKILL'); // only ever a run left waiting by a failed assertion
          await r.gate.close();
        }
      }
      await expectAccountsSynced(db, both.meetings(), accounts);
      expectSameContent(await db.snapshot(), sequential!);
    });
  });

  describe('bad input', () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', '--since', 'yesterday'], /--since "yesterday" is not a date/],
      [['run', '--since', '2026-02-30'], /is not a date/],
      [['run', '--since', '2026-05-01', '--until', '2026-04-01'], /is after --until/],
      [['run', '--until', '2026-04-01'], /--until needs --since/],
      [['run', '--last', '0'], /--last "0" must be a whole number/],
      [['run', '--last', 'abc'], /--last "abc" must be a whole number/],
      [['run', '--all', '--last', '3'], /cannot be combined/],
      [['run', '--frobnicate'], /unknown option '--frobnicate'/],
      [['run', '--recorded-by', 'not-an-email'], /is not an email address/],
      [['sync'], /unknown command 'sync'/],
    ];
    it.each(cases)('%j: one line, exit 2, nothing written', async (args, message) => {
      const r = await runCli(args, env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      expect(fs.existsSync(env.FATHOM_SYNC_HOME!)).toBe(false);
      expect(await db.exists()).toBe(false);
      expect(server.stats().requests).toBe(0);
    });

    it('a database from a newer fathom-sync: exit 1, nothing written', async () => {
      await runCli(['run', '--last', '1'], env);
      if (target.name === 'sqlite') {
        const Database = (await import('better-sqlite3')).default;
        const file = new Database(db.db);
        file.pragma('user_version = 42');
        file.pragma('wal_checkpoint(TRUNCATE)');
        file.close();
      } else {
        await db.write("INSERT INTO schema_migrations (version, applied_at) VALUES (42, '2030-01-01T00:00:00.000Z')");
      }
      const bytes = target.name === 'sqlite' ? fs.readFileSync(db.db) : null;
      const before = { content: await db.snapshot(), runs: await db.rows('SELECT * FROM sync_runs ORDER BY id') };
      fs.rmSync(path.join(env.FATHOM_SYNC_HOME!, 'state'), { recursive: true, force: true });
      server.resetStats();
      const r = await runCli(['run'], env);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[0]).toMatch(/schema version 42, newer than this fathom-sync (understands|knows)/);
      if (bytes) expect(fs.readFileSync(db.db).equals(bytes)).toBe(true);
      expect({ content: await db.snapshot(), runs: await db.rows('SELECT * FROM sync_runs ORDER BY id') }).toEqual(before);
      expect(server.stats().requests).toBe(0);
      // Refused before the lock: not even the state directory came back.
      expect(fs.existsSync(path.join(env.FATHOM_SYNC_HOME!, 'state'))).toBe(false);
    });
  });
});

describe('the SQLite file', () => {
  beforeAll(startServer);
  afterAll(() => server.close());
  it('is owner-only, in an owner-only directory', async () => {
    expect((await runCli(['run', '--last', '1'], env)).code).toBe(0);
    expect(fs.statSync(dbPath(env)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(dbPath(env))).mode & 0o777).toBe(0o700);
  });

  it('our data directory is made owner-only again even if something loosened it', async () => {
    expect((await runCli(['run', '--last', '1'], env)).code).toBe(0);
    fs.chmodSync(path.dirname(dbPath(env)), 0o755);
    expect((await runCli(['run', '--last', '1'], env)).code).toBe(0);
    expect(fs.statSync(path.dirname(dbPath(env))).mode & 0o777).toBe(0o700);
  });

  it('a --db that is not SQLite: exit 1, file untouched', async () => {
    const file = path.join(home.home, 'notes.db');
    fs.writeFileSync(file, 'my precious notes');
    const r = await runCli(['run', '--db', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/is not a SQLite database/);
    expect(fs.readFileSync(file, 'utf8')).toBe('my precious notes');
    expect(fs.readdirSync(home.home)).toEqual(['notes.db']);
  });

  // root reads any file, so as root (CI) the CLI runs as `nobody` through setpriv.
  const unprivileged = unprivilegedRunner();
  it.skipIf(unprivileged.skip)(unprivileged.title('an unreadable --db: exit 1, nothing written'), async () => {
    // World-traversable, so `nobody` reaches the file and is refused only by the file's own mode.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-unreadable-'));
    fs.chmodSync(dir, 0o755);
    try {
      const file = path.join(dir, 'x.db');
      fs.writeFileSync(file, 'SQLite format 3\0');
      fs.chmodSync(file, 0o000);
      const runHome = path.join(dir, 'home');
      const r = await unprivileged.run(['run', '--db', file], { ...env, FATHOM_SYNC_HOME: runHome, FATHOM_SYNC_DB: undefined });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.split('\n')[0]).toMatch(/^fathom-sync: cannot open database .*x\.db for reading and writing \(EACCES\)/);
      expect(fs.existsSync(runHome)).toBe(false);
      expect(fs.readdirSync(dir)).toEqual(['x.db']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('another program\'s SQLite file as --db: exit 1, file untouched, nothing else written', async () => {
    const file = path.join(home.home, 'notes.sqlite');
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(file);
    other.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    other.close();
    const before = fs.readFileSync(file);
    const r = await runCli(['run', '--db', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/is another program's SQLite database/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(home.home)).toEqual(['notes.sqlite']);
    expect(server.stats().requests).toBe(0);
  });
});

describe('cli basics', () => {
  beforeAll(startServer);
  afterAll(() => server.close());
  it('--help and --version answer without loading the sync machinery', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: fathom-sync/);
    const version = await runCli(['--version'], env);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const runHelp = await runCli(['run', '--help'], env);
    expect(runHelp.stdout).toMatch(/--incremental/);
  });
});
