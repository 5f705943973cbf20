import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { need } from '../helpers/capabilities.js';
import { terminalPerTest } from '../helpers/terminal.js';

/**
 * `run` at a real terminal (tmux): a progress bar with percentage and ETA when the window has
 * an end, the time slices done and how far back they reach when it has none (--all), and the
 * summary line after it.
 * The same runs through a pipe print plain lines (tests/integration/sync.test.ts).
 */

const NOW = '2026-11-20T12:00:00Z';

let fake: FakeFathom;
const t = terminalPerTest();
const tmux = need('tmux');

beforeAll(async () => {
  fake = await startFakeFathom({ seed: 21, meetingCount: 40, now: Date.parse(NOW), segmentsPerMeeting: 3, pendingFraction: 0 });
});
afterAll(() => fake.close());

const runInTerminal = (args: string[]) =>
  t.terminal.start(['run', ...args], { ...t.home.baseEnv, FATHOM_API_URL: fake.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW, TERM: 'xterm' });

describe.skipIf(tmux.skip)(tmux.title('run at a terminal'), () => {
  it('a window with an end: a bar at 100% with ETA and counts, then the summary line', async () => {
    runInTerminal(['--since', '2026-10-01']);
    const text = await t.terminal.waitFor(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=0/);
    expect(text).toMatch(/ [█░]{24} 100% \| ETA \S+ \| \d+ meetings \(\d+ new, 0 updated\) \| \d+ pages/);
    expect(text).toMatch(/^synced \d+ meetings \(\d+ new, 0 updated\) in [\d.]+s/m);
    // Plain per-page lines are for pipes and cron only.
    expect(text).not.toMatch(/^page \d+:/m);
  });

  it('--all: no made-up percentage, but the time slices read to their end and how far back they reach', async () => {
    runInTerminal(['--all']);
    const text = await t.terminal.waitFor(/EXIT=\d+/);
    expect(text).toMatch(/EXIT=0/);
    // The last slice reaches back to the beginning.
    expect(text).toMatch(/ syncing all meetings \| \d+ slices done, back to the beginning \| 40 meetings \(40 new, 0 updated\) \| \d+ pages/);
    expect(text).not.toMatch(/\d+%/);
    expect(text).toMatch(/^synced 40 meetings \(40 new, 0 updated\)/m);
  });
});
