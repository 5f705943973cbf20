import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { talkTimeOf } from '../../src/db/talk-time-store.js';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { accountEnv, expectAccountsSynced, pagesCommitted, partlySameMeetings, sameMeetings, sequentialSnapshot, sharedMeetings, type AccountRun } from '../helpers/accounts.js';
import { launch, runCli, stderrContains, tempHome, type CliResult } from '../helpers/cli.js';
import { startGateProxy, type GateProxy } from '../helpers/gate-proxy.js';
import { TARGETS, expectSameContent, type TestDatabase } from '../helpers/targets.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Crashes and concurrency on PostgreSQL, with real processes of the CLI against the fake Fathom
 * server: kill -9 inside a page's transaction, two processes syncing one account, two accounts
 * syncing overlapping meetings at once. Nothing waits on the clock: a gate proxy (one per process)
 * hands out the meetings pages one at a time, and the test holds locks of its own in the database
 * so a sync is caught exactly where the test wants it (inside a page, waiting for a table), which
 * it sees in pg_stat_activity before it acts.
 */

const pgTarget = TARGETS.find((t) => t.name === 'postgresql')!;
const NOW = '2026-11-20T12:00:00Z';
const MEETINGS = 100;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

/** The migration's lock (src/db/pg/schema.ts): held by the test, every first run waits before creating a table. */
const HOLD_MIGRATION = "SELECT pg_advisory_xact_lock(hashtextextended('fathom-sync:migrate', 0))";

let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
const gates: GateProxy[] = [];
const launched: ReturnType<typeof launch>[] = [];

/** A CLI process; one a failed assertion left waiting is killed after its test. */
function start(args: string[], env: NodeJS.ProcessEnv): ReturnType<typeof launch> {
  const run = launch(args, env);
  launched.push(run);
  return run;
}

/** A gate in front of the server for one process: its meetings pages pass one release() at a time. */
async function gateFor(): Promise<GateProxy> {
  const gate = await startGateProxy(server.url, (pathname) => pathname.endsWith('/meetings'));
  gates.push(gate);
  return gate;
}

/** The test's own transaction holding a lock (`sql` takes it) until release(), which rolls back. */
async function holdLock(db: TestDatabase, sql: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: db.db });
  client.on('error', () => {}); // ended by the database's drop when a failed test left it holding
  await client.connect();
  await client.query('BEGIN');
  await client.query(sql);
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** The server sessions of one CLI process: its connections' application_name carries its pid. */
const sessionsOf = (db: TestDatabase, pid: number) =>
  db.rows<{ wait_event_type: string | null; wait_event: string | null }>(
    'SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE ?',
    `fathom-sync % pid ${pid} on %`,
  );
const waitsForLock = async (db: TestDatabase, pid: number) => (await sessionsOf(db, pid)).some((s) => s.wait_event_type === 'Lock');

describe.skipIf(pgTarget.skip)(pgTarget.title('PostgreSQL under crashes and concurrency'), () => {
  beforeAll(async () => {
    server = await startFakeFathom({
      seed: 7,
      meetingCount: MEETINGS,
      now: Date.parse(NOW),
      segmentsPerMeeting: [5, 30],
      pendingFraction: 0.05,
      rateLimit: false,
      apiKeys: ['fake-api-key', 'alice-key', 'bob-key'],
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const run of launched.splice(0)) run.child.kill('SIGKILL');
    for (const gate of gates.splice(0)) await gate.close();
    await pgTarget.cleanup();
    home.cleanup();
  });
  const envOf = (db: TestDatabase, apiUrl: string): NodeJS.ProcessEnv => ({ ...db.env, FATHOM_API_URL: apiUrl, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW });

  describe('kill -9 at any instant', () => {
    let clean: Record<string, unknown[]>;
    beforeAll(async () => {
      const h = tempHome();
      try {
        const db = await pgTarget.fresh(h.baseEnv);
        const r = await runCli(['run', '--all'], envOf(db, server.url));
        expect(r.code, r.stderr).toBe(0);
        await db.expectMatches(server.meetings());
        clean = await db.snapshot();
      } finally {
        await pgTarget.cleanup();
        h.cleanup();
      }
    });

    // The first slice (the last 30 days) holds 8 full pages: the killed page is always a full one.
    const instants: Array<{ at: string; after: number; hold: string | null }> = [
      { at: 'in page 1, before its first meeting row', after: 0, hold: 'LOCK TABLE meetings IN SHARE MODE' },
      { at: 'in page 1, all of it written but the pending backfill', after: 0, hold: "SELECT 1 FROM sync_state WHERE account = 'default' FOR UPDATE" },
      { at: 'in page 3, its meetings written but their transcripts not', after: 2, hold: 'LOCK TABLE transcript_segments IN SHARE MODE' },
      { at: 'in page 4, all but account_meetings, skipped items and counters', after: 3, hold: 'LOCK TABLE account_meetings IN SHARE MODE' },
      { at: "in page 6, all of it written but the run's counters", after: 5, hold: 'SELECT 1 FROM sync_runs FOR UPDATE' },
      { at: 'between pages 4 and 5, waiting for Fathom', after: 4, hold: null },
    ];

    it.each(instants)('killed $at: whole pages only, and the next run ends as a clean sync would', async ({ after, hold }) => {
      const db = await pgTarget.fresh(home.baseEnv);
      const gate = await gateFor();
      const env = envOf(db, gate.url);
      const run = start(['run', '--all'], env);
      for (let page = 0; page < after; page++) gate.release();
      // Its pages up to `after` committed, and the next one asked for (the client reads a page ahead).
      await gate.arrived(after + 1);
      await waitFor(async () => (await pagesCommitted(db)) === after, `page ${after} to be committed`);
      const lock = hold === null ? null : await holdLock(db, hold);
      if (lock) {
        gate.release();
        await waitFor(() => waitsForLock(db, run.pid), 'the sync to wait for the lock inside its page');
      }
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');
      await lock?.release();
      // The server ends the session when it sees the connection gone, rolling its transaction back.
      await waitFor(async () => (await sessionsOf(db, run.pid)).length === 0, "the killed sync's session to end");

      const [left] = await db.rows<{ status: string; pages: number; meetings_seen: number; meetings_new: number }>('SELECT status, pages, meetings_seen, meetings_new FROM sync_runs');
      expect(left).toEqual({ status: 'running', pages: after, meetings_seen: after * 10, meetings_new: after * 10 });
      expect(await db.value('SELECT COUNT(*) FROM meetings')).toBe(after * 10);
      expect(await db.rows("SELECT recording_id FROM account_meetings WHERE account = 'default' ORDER BY recording_id")).toEqual(await db.rows('SELECT recording_id FROM meetings ORDER BY recording_id'));
      await db.expectConsistent();
      expect(await db.rows('SELECT bookmark, backfill_from, backfill_before FROM sync_state')).toEqual([
        { bookmark: null, backfill_from: null, backfill_before: after > 0 ? new Date(NOW).toISOString() : null },
      ]);

      const again = await runCli(['run', '--all', '--json'], envOf(db, server.url));
      expect(again.code, again.stderr).toBe(0);
      expect(json(again.stdout).meetings_new).toBe(MEETINGS - after * 10);
      expect(await db.rows('SELECT status, pages FROM sync_runs ORDER BY id')).toEqual([
        { status: 'interrupted', pages: after },
        { status: 'ok', pages: json(again.stdout).pages },
      ]);
      await db.expectMatches(server.meetings());
      await db.expectConsistent();
      expectSameContent(await db.snapshot(), clean);
    });
  });

  describe('one account, two processes', () => {
    /** The message of a refusal naming the sync that holds the account. */
    const holder = (pid: number, account = 'default') =>
      new RegExp(`^fathom-sync: a sync of profile ${account} is already running into this database \\(fathom-sync sync ${account} pid ${pid} on .+ since [\\dT:-]+Z\\)$`);

    it('the second exits 6 with one line naming the first, from another machine too; only the first writes', async () => {
      const db = await pgTarget.fresh(home.baseEnv);
      const gate = await gateFor();
      const first = start(['run', '--all', '--json'], envOf(db, gate.url));
      await gate.arrived(1);
      const elsewhere = { ...envOf(db, server.url), FATHOM_SYNC_HOME: `${home.home}/other-machine` };
      const second = await runCli(['run', '--all', '--json'], elsewhere);
      expect(second.code).toBe(6);
      const lines = second.stderr.trim().split('\n');
      expect(lines[0]).toMatch(holder(first.pid));
      expect(lines.slice(1)).toEqual(['  fix: wait for it to finish, or pass --wait']);
      expect(json(second.stdout)).toMatchObject({ status: 'failed', exit_code: 6 });

      gate.open();
      const done = await first.done;
      expect(done.code, done.stderr).toBe(0);
      expect(await db.rows('SELECT status, pid, pages, meetings_new FROM sync_runs ORDER BY id')).toEqual([
        { status: 'ok', pid: first.pid, pages: json(done.stdout).pages, meetings_new: MEETINGS },
        { status: 'skipped', pid: expect.any(Number), pages: 0, meetings_new: 0 },
      ]);
      await db.expectMatches(server.meetings());
      await db.expectConsistent();
    });

    it('with --wait the second waits for the first to finish, then syncs: never both at once', async () => {
      const db = await pgTarget.fresh(home.baseEnv);
      const gate = await gateFor();
      const first = start(['run', '--all', '--json'], envOf(db, gate.url));
      await gate.arrived(1);
      const second = start(['run', '--all', '--json', '--wait'], { ...envOf(db, server.url), FATHOM_SYNC_HOME: `${home.home}/other-machine` });
      await stderrContains(second.child, `waiting for the sync already running (fathom-sync sync default pid ${first.pid} on `);
      // Still waiting, having written nothing: its run starts only once it has the lock.
      expect(await db.rows('SELECT pid FROM sync_runs')).toEqual([{ pid: first.pid }]);
      gate.open();
      const [a, b] = await Promise.all([first.done, second.done]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const runs = await db.rows<{ pid: number; status: string; meetings_new: number; started_at: string; ended_at: string }>('SELECT pid, status, meetings_new, started_at, ended_at FROM sync_runs ORDER BY id');
      expect(runs.map((r) => [r.pid, r.status, r.meetings_new])).toEqual([
        [first.pid, 'ok', MEETINGS],
        [second.pid, 'ok', 0],
      ]);
      expect(Date.parse(runs[1]!.started_at)).toBeGreaterThanOrEqual(Date.parse(runs[0]!.ended_at));
      await db.expectMatches(server.meetings());
      await db.expectConsistent();
    });

    it.each([1, 2, 3])('two first runs at once on an empty database (%i): one migrates and syncs, the other exits 6 and creates nothing', async () => {
      const db = await pgTarget.fresh(home.baseEnv);
      const migration = await holdLock(db, HOLD_MIGRATION);
      let migrationHeld = true;
      try {
        const runs = [start(['run', '--all', '--json'], envOf(db, server.url)), start(['run', '--all', '--json'], envOf(db, server.url))];
        // The one that took the account's lock waits for the migration; the other is refused.
        const loser = await Promise.race(runs.map(async (r) => ({ run: r, result: await r.done })));
        const winner = runs.find((r) => r !== loser.run)!;
        expect(loser.result.code, loser.result.stderr).toBe(6);
        expect(loser.result.stderr.split('\n')[0]).toMatch(holder(winner.pid));
        await waitFor(() => waitsForLock(db, winner.pid), 'the other run to wait for the migration');
        migrationHeld = false;
        await migration.release();
        const won = await winner.done;
        expect(won.code, won.stderr).toBe(0);
        // Refused before any table existed: a refused run does not create tables just to say so.
        expect(await db.rows('SELECT pid, status, meetings_new FROM sync_runs')).toEqual([{ pid: winner.pid, status: 'ok', meetings_new: MEETINGS }]);
        await db.expectMatches(server.meetings());
        await db.expectConsistent();
      } finally {
        if (migrationHeld) await migration.release();
      }
    });
  });

  describe('two accounts at once into one database', () => {
    const all = () => server.meetings();
    const variants: Array<{ overlap: string; accounts: () => AccountRun[] }> = [
      { overlap: 'the same meetings', accounts: () => sameMeetings(all()) },
      { overlap: 'partly the same meetings', accounts: () => partlySameMeetings(all(), { newer: 30, middle: 60, older: 90 }) },
    ];

    describe.each(variants)('seeing $overlap', ({ accounts: make }) => {
      let sequential: Record<string, unknown[]>;
      beforeAll(async () => {
        const h = tempHome();
        try {
          sequential = await sequentialSnapshot(pgTarget, { ...h.baseEnv, FATHOM_SYNC_NOW: NOW }, make(), server.url);
        } finally {
          await pgTarget.cleanup();
          h.cleanup();
        }
      });

      // Three rounds of the race; in each, both runs' first pages write the same meetings table at the same moment.
      it.each([1, 2, 3])('round %i: each meeting stored once, each account seeing its own, the same as one after the other', async () => {
        const accounts = make();
        expect(sharedMeetings(accounts).length).toBeGreaterThanOrEqual(25);
        const db = await pgTarget.fresh({ ...home.baseEnv, FATHOM_SYNC_NOW: NOW });
        const migration = await holdLock(db, HOLD_MIGRATION);
        let migrationHeld = true;
        try {
          const lanes = await Promise.all(accounts.map(async (a) => ({ account: a, gate: await gateFor() })));
          const runs = lanes.map(({ account, gate }) => ({ account, gate, ...start(['run', ...account.args, '--json'], accountEnv(db.env, account, gate.url)) }));
          // Both first runs at the migration at once: one creates the tables, the other finds them.
          await waitFor(async () => (await Promise.all(runs.map((r) => waitsForLock(db, r.pid)))).every(Boolean), 'both runs to wait for the migration');
          migrationHeld = false;
          await migration.release();
          // Lockstep: both runs' page N waits for the meetings table the test holds, then both write at once.
          for (let page = 1; page <= 3; page++) {
            await Promise.all(runs.map((r) => r.gate.arrived(page)));
            await waitFor(async () => (await Promise.all(runs.map(async (r) => (await pagesCommitted(db, r.account.profile)) === page - 1))).every(Boolean), `both runs to commit page ${page - 1}`);
            const table = await holdLock(db, 'LOCK TABLE meetings IN SHARE MODE');
            for (const r of runs) r.gate.release();
            await waitFor(async () => (await Promise.all(runs.map((r) => waitsForLock(db, r.pid)))).every(Boolean), `both runs' page ${page} to wait for the meetings table`);
            await table.release();
          }
          for (const r of runs) r.gate.open();
          const results: CliResult[] = await Promise.all(runs.map((r) => r.done));
          for (const r of results) expect(r.code, r.stderr).toBe(0);
          await expectAccountsSynced(db, all(), accounts);
          expectSameContent(await db.snapshot(), sequential);
        } finally {
          if (migrationHeld) await migration.release();
        }
      });
    });

    it("the first team refresh while another account's page is being written: that page's talk time counts the team too", async () => {
      // Meetings whose talk time depends on who is in the team (a speaker only a team member list places).
      const members: { name: string; email: string }[] = [];
      const get = async (path: string) => (await (await fetch(`${server.url}${path}`, { headers: { 'x-api-key': 'fake-api-key' } })).json()) as { items: any[] };
      for (const team of (await get('/teams')).items) members.push(...(await get(`/team_members?team=${encodeURIComponent(team.name)}`)).items);
      const index = all().findIndex((m, i) => i > 0 && JSON.stringify(talkTimeOf(m as any, [])) !== JSON.stringify(talkTimeOf(m as any, members)));
      expect(index, 'a meeting whose talk time needs the team, in the first slice').toBeGreaterThan(0);
      expect(index).toBeLessThan(70);
      const page = Math.floor(index / 10) + 1;
      // alice stores the newest meeting only and is first to read the teams; bob reads everything.
      const accounts: AccountRun[] = [
        { profile: 'alice', key: 'alice-key', args: ['--last', '1'], truth: all().slice(0, 1) },
        { profile: 'bob', key: 'bob-key', args: ['--all'], truth: all() },
      ];
      const h = tempHome();
      let sequential: Record<string, unknown[]>;
      try {
        sequential = await sequentialSnapshot(pgTarget, { ...h.baseEnv, FATHOM_SYNC_NOW: NOW }, accounts, server.url);
      } finally {
        h.cleanup();
      }

      const db = await pgTarget.fresh({ ...home.baseEnv, FATHOM_SYNC_NOW: NOW });
      const teamsGate = await startGateProxy(server.url, (pathname) => pathname.endsWith('/teams'));
      gates.push(teamsGate);
      const alice = start(['run', ...accounts[0]!.args], accountEnv(db.env, accounts[0]!, teamsGate.url));
      await teamsGate.arrived(1); // alice's run is written; she is about to read the teams
      const pagesGate = await gateFor();
      const bob = start(['run', ...accounts[1]!.args], accountEnv(db.env, accounts[1]!, pagesGate.url));
      for (let p = 1; p < page; p++) pagesGate.release();
      await pagesGate.arrived(page);
      await waitFor(async () => (await pagesCommitted(db, 'bob')) === page - 1, `bob's page ${page - 1} to be committed`);
      // bob's page, its talk time written (without a team: none is stored yet), held before it commits.
      const held = await holdLock(db, 'LOCK TABLE account_meetings IN SHARE MODE');
      pagesGate.release();
      await waitFor(() => waitsForLock(db, bob.pid), "bob's page to wait before its end");
      teamsGate.open();
      // alice stores the team and works talk time out again: done, or waiting for bob's page to end.
      let aliceExited = false;
      void alice.done.then(() => (aliceExited = true));
      await waitFor(async () => aliceExited || (await waitsForLock(db, alice.pid)), 'alice to store the team');
      await held.release();
      pagesGate.open();
      for (const r of await Promise.all([alice.done, bob.done])) expect(r.code, r.stderr).toBe(0);
      await expectAccountsSynced(db, all(), accounts);
      expectSameContent(await db.snapshot(), sequential!);
    });
  });
});
