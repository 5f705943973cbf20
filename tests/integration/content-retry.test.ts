import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FakeFathom } from '../../src/fake-server/server.js';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { startOAuthFake } from '../helpers/connect.js';
import { connectOAuth } from '../helpers/oauth-session.js';
import { describeTargets, type TestDatabase } from '../helpers/targets.js';

/**
 * A summary or transcript that stays null (Fathom never produced one) must not cost two heavy
 * calls every hour for 30 days: the hourly job asks for it on its next 3 runs, then once a day
 * (domain/content-retry.ts). Under OAuth, where each ask is two /recordings calls. On both storage
 * targets (tests/helpers/targets.ts).
 */

const T0 = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const GENEROUS = { global: { limit: 1_000_000, windowMs: 60_000 }, heavy: { limit: 1_000_000, windowMs: 60_000 } };

describeTargets('content Fathom has not produced', (target) => {
  let fake: FakeFathom;
  let oauth: FakeOAuth;
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let db: TestDatabase;

  beforeAll(async () => {
    ({ fake, oauth } = await startOAuthFake({ fake: { seed: 41, meetingCount: 30, now: T0, spacingHours: 20, segmentsPerMeeting: 2, pendingFraction: 0, rateLimit: GENEROUS } }));
    home = tempHome();
    db = await target.fresh(home.baseEnv);
    env = await connectOAuth(fake, oauth, fake.url, db.env);
  });
  afterAll(async () => {
    home?.cleanup();
    await target.cleanup();
    await fake?.close();
  });

  it('is asked for by the next 3 runs that cover it, then once a day; the incremental window reaches back for it only when it is due', async () => {
    // Two meetings 10-20 days old whose content never comes: older than the incremental lookback.
    const never = fake
      .meetings()
      .filter((m) => m.created_at < new Date(T0 - 10 * DAY).toISOString() && m.created_at > new Date(T0 - 20 * DAY).toISOString())
      .slice(0, 2);
    expect(never).toHaveLength(2);
    for (const m of never) fake.setPending(m.recording_id);
    const oldest = never.map((m) => m.created_at).sort()[0]!;

    /** One run at `at`: which of the two it asked Fathom for, and the window it read. */
    const runAt = async (args: string[], at: number) => {
      fake.resetStats();
      const r = await runCli(['run', ...args, '--json'], { ...env, FATHOM_SYNC_NOW: new Date(at).toISOString() });
      expect(r.code, r.stderr).toBe(0);
      const asked = never.filter((m) => fake.requests.some((q) => q.path === `/recordings/${m.recording_id}/summary`)).length;
      return { asked, windowStart: JSON.parse(r.stdout).window_start as string };
    };
    const attempts = async () => (await db.rows<{ n: number }>(`SELECT content_attempts AS n FROM meetings WHERE recording_id IN (${never.map((m) => m.recording_id).join(',')}) ORDER BY recording_id`)).map((r) => r.n);

    expect((await runAt(['--since', '2026-10-01'], T0)).asked).toBe(2);
    expect(await attempts()).toEqual([1, 1]);
    // The hourly job: twice more, reaching back to them.
    for (const hour of [1, 2]) {
      const r = await runAt(['--incremental'], T0 + hour * HOUR);
      expect(r).toEqual({ asked: 2, windowStart: new Date(Date.parse(oldest)).toISOString() });
    }
    expect(await attempts()).toEqual([3, 3]);
    // Then not every hour: its own window only (the bookmark, the last run's "now", minus 7 days), and no calls for them.
    let previous = 2;
    for (const hour of [3, 4, 12, 25]) {
      const r = await runAt(['--incremental'], T0 + hour * HOUR);
      expect(r.asked, `hour ${hour}`).toBe(0);
      expect(Date.parse(r.windowStart)).toBe(T0 + previous * HOUR - 7 * DAY);
      previous = hour;
    }
    // A day after the last ask: asked again, once.
    expect((await runAt(['--incremental'], T0 + 26 * HOUR)).asked).toBe(2);
    expect((await runAt(['--incremental'], T0 + 27 * HOUR)).asked).toBe(0);
    expect(await attempts()).toEqual([4, 4]);
    // When Fathom has it at last, the next ask completes it, and the count starts over.
    for (const m of never) fake.completeContent(m.recording_id);
    expect((await runAt(['--incremental'], T0 + 51 * HOUR)).asked).toBe(2);
    expect(await db.rows(`SELECT content_complete AS c, content_attempts AS n FROM meetings WHERE recording_id IN (${never.map((m) => m.recording_id).join(',')})`)).toEqual([
      { c: 1, n: 0 },
      { c: 1, n: 0 },
    ]);
  });
});
