import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom } from '../../src/fake-server/server.js';
import { dbPath, runCli, startCli, collect, tempHome } from '../helpers/cli.js';
import { expectedTalkTime, expectedWordHits, parseCsv } from '../helpers/read-truth.js';

/**
 * The read commands against a database synced from the fake server, each figure and hit checked
 * against ground truth worked out from the API's own data (tests/helpers/read-truth.ts).
 */

const NOW = '2026-11-20T12:00:00Z';
let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;
let truth: Record<string, any>[];
/** Fathom's team members, read from the API as the sync reads them. */
let teamMembers: { name: string | null; email: string }[] = [];

// Control characters other than newline and tab: nothing from meeting data may reach a terminal raw.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

beforeAll(async () => {
  server = await startFakeFathom({ seed: 17, meetingCount: 160, now: Date.parse(NOW), segmentsPerMeeting: [0, 50], pendingFraction: 0.03 });
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
  const sync = await runCli(['run', '--all', '--quiet'], env);
  expect(sync.code, sync.stderr).toBe(0);
  truth = server.meetings() as Record<string, any>[];
  const get = async (p: string) => (await (await fetch(`${server.url}${p}`, { headers: { 'X-Api-Key': 'fake-api-key' } })).json()) as { items: any[] };
  for (const team of (await get('/teams')).items) teamMembers.push(...(await get(`/team_members?team=${encodeURIComponent(team.name)}`)).items);
});
afterAll(async () => {
  await server.close();
  home.cleanup();
});

const cli = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
  const r = await runCli(args, { ...env, ...extra });
  return { ...r, json: () => JSON.parse(r.stdout) };
};

describe('talk time', () => {
  it('matches the definitions worked out by hand from the API data, for every meeting', async () => {
    // One export holds every meeting's talk time; show --json reads the same table (checked below).
    const exported = new Map((await cli(['export', '--format', 'ndjson'])).stdout.trimEnd().split('\n').map((l) => JSON.parse(l)).map((m) => [m.recording_id, m.talk_time]));
    let checked = 0;
    for (const m of truth) {
      const expected = expectedTalkTime(m, teamMembers);
      const talk = exported.get(m.recording_id);
      if (!expected) {
        expect(talk).toBeNull();
        continue;
      }
      checked++;
      expect(talk.total_seconds).toBeCloseTo(expected.total_seconds, 2);
      expect(talk.internal_share).toBeCloseTo(expected.internal_share, 4);
      expect(talk.external_share).toBeCloseTo(expected.external_share, 4);
      expect(talk.unknown_share).toBeCloseTo(expected.unknown_share, 4);
      expect(talk.switches_per_minute).toBeCloseTo(expected.switches_per_minute, 4);
      expect(talk.speakers).toHaveLength(expected.speakers.size);
      for (const s of talk.speakers) {
        const e = expected.speakers.get(s.name);
        expect(e, `${m.recording_id} ${s.name}`).toBeDefined();
        expect(s.external).toBe(e.external);
        expect(s.seconds).toBeCloseTo(e.seconds, 2);
        expect(s.share).toBeCloseTo(e.share, 4);
        expect(s.longest_monologue_seconds).toBeCloseTo(e.longest_monologue_seconds, 2);
        expect(s.questions).toBe(e.questions);
      }
    }
    expect(checked).toBeGreaterThan(100);
    // The definitions' every case came up: external, internal by invite, by recorder or team, and unknown.
    const sides = new Set(truth.flatMap((m) => [...(expectedTalkTime(m, teamMembers)?.speakers.values() ?? [])].map((s: any) => String(s.external))));
    expect([...sides].sort()).toEqual(['false', 'null', 'true']);
    const byTeamOnly = truth.some((m) => [...(expectedTalkTime(m, teamMembers)?.speakers.values() ?? [])].some((s: any) => s.external === false && expectedTalkTime(m)?.speakers.get(s.name).external === null));
    expect(byTeamOnly).toBe(true);
    // show --json: Fathom's Meeting object, verbatim, plus the same talk time.
    for (const m of truth.slice(0, 3)) {
      const { talk_time: talk, ...meeting } = (await cli(['show', String(m.recording_id), '--json'])).json();
      expect(meeting).toEqual(m);
      expect(talk).toEqual(exported.get(m.recording_id));
    }
  });
});

describe('search', () => {
  it('finds every occurrence of a word, counted in total, in titles, summaries, transcripts and action items', async () => {
    for (const word of ['budget', 'pricing', 'roadmap']) {
      const expected = expectedWordHits(truth, word);
      const r = (await cli(['search', word, '--limit', '100000', '--json'])).json();
      expect(r.query).toBe(word);
      expect(r.total, word).toBe(expected.length);
      const key = (h: { kind: string; recording_id: number }) => `${h.kind}:${h.recording_id}`;
      expect(r.hits.map(key).sort()).toEqual(expected.map(key).sort());
      for (const hit of r.hits) expect(hit.snippet.toLowerCase()).toContain(`[${word}`);
    }
  });

  it('ranks, limits, and links transcript hits to their moment', async () => {
    const r = (await cli(['search', 'budget', '--in', 'transcript', '--limit', '5', '--json'])).json();
    expect(r.hits).toHaveLength(5);
    expect(r.total).toBe(expectedWordHits(truth, 'budget').filter((h) => h.kind === 'transcript').length);
    for (const hit of r.hits) {
      expect(hit.kind).toBe('transcript');
      const m = truth.find((t) => t.recording_id === hit.recording_id)!;
      const line = m.transcript.find((l: any) => l.timestamp === hit.timestamp && l.speaker.display_name === hit.speaker_name);
      expect(line, JSON.stringify(hit)).toBeDefined();
      expect(hit.url).toBe(`${m.share_url}?timestamp=${hit.start_seconds}`);
      expect(hit.title).toBe(m.title);
      expect(Date.parse(hit.created_at)).toBe(Date.parse(m.created_at));
    }
  });

  it('understands phrases, -word, OR and prefix*, and filters by speaker and attendee', async () => {
    const total = async (...args: string[]) => (await cli(['search', ...args, '--json'])).json().total as number;
    const budget = await total('budget');
    const budgetNotQuarter = await total('budget', '-quarter');
    const both = await total('budget', 'quarter');
    expect(budgetNotQuarter + both).toBe(budget);
    expect(await total('budget OR roadmap')).toBeGreaterThanOrEqual(Math.max(budget, await total('roadmap')));
    expect(await total('budg*')).toBeGreaterThanOrEqual(budget);
    expect(await total('"next quarter"')).toBeLessThanOrEqual(await total('next', 'quarter'));
    const speaker = truth.flatMap((m) => m.transcript ?? []).find((l: any) => /budget/i.test(l.text))!.speaker.display_name;
    const bySpeaker = (await cli(['search', 'budget', '--speaker', speaker, '--limit', '1000', '--json'])).json();
    expect(bySpeaker.hits.length).toBeGreaterThan(0);
    for (const hit of bySpeaker.hits) expect(hit.speaker_name).toBe(speaker);
    const domain = 'acme.com';
    const withAcme = (await cli(['search', 'budget', '--with', domain, '--limit', '1000', '--json'])).json();
    for (const hit of withAcme.hits) {
      expect(truth.find((t) => t.recording_id === hit.recording_id)!.calendar_invitees.some((a: any) => a.email_domain === domain)).toBe(true);
    }
  });

  it('a query that cannot be read exits 2 with one line, not an SQLite message', async () => {
    for (const q of ['"unclosed', 'OR', '-only', 'pr*ce']) {
      const r = await cli(['search', q]);
      expect(r.code, q).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^fathom-sync: cannot read the search query: /);
      expect(r.stderr).not.toMatch(/sqlite|fts5|syntax error/i);
    }
  });

  it('highlights with colour only at a terminal, and plain [ ] markers otherwise', async () => {
    const plain = await cli(['search', 'budget', '--limit', '3']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/\[budget\]/i);
    expect(plain.stdout).not.toMatch(/\u001b/);
    const coloured = await cli(['search', 'budget', '--limit', '3'], { FORCE_COLOR: '1' });
    expect(coloured.stdout).toMatch(/\u001b\[1;33mbudget/i);
  });
});

describe('list, tasks, people, stats', () => {
  it('list: newest first, with the counts and companies of the API data', async () => {
    const r = (await cli(['list', '--limit', '1000', '--json'])).json();
    const sorted = [...truth].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.recording_id - a.recording_id);
    expect(r.map((m: any) => m.recording_id)).toEqual(sorted.map((m) => m.recording_id));
    for (const item of r.slice(0, 30)) {
      const m = truth.find((t) => t.recording_id === item.recording_id)!;
      expect(item.attendee_count).toBe(m.calendar_invitees.length);
      expect(item.action_item_count).toBe((m.action_items ?? []).length);
      expect(item.open_action_item_count).toBe((m.action_items ?? []).filter((a: any) => !a.completed).length);
      expect(item.external_domains).toEqual([...new Set(m.calendar_invitees.filter((a: any) => a.is_external).map((a: any) => a.email_domain.toLowerCase()))].sort());
    }
    const since = (await cli(['list', '--since', '2026-11-01', '--limit', '1000', '--json'])).json();
    expect(since.length).toBe(truth.filter((m) => Date.parse(m.created_at) >= Date.parse('2026-11-01T00:00:00Z')).length);
    expect((await cli(['list', '--limit', '3', '--json'])).json()).toHaveLength(3);
  });

  it('tasks: open by default, --done, --all, --assignee', async () => {
    const all = truth.flatMap((m) => (m.action_items ?? []).map((a: any) => ({ ...a, recording_id: m.recording_id })));
    expect((await cli(['tasks', '--json'])).json()).toHaveLength(all.filter((a) => !a.completed).length);
    expect((await cli(['tasks', '--done', '--json'])).json()).toHaveLength(all.filter((a) => a.completed).length);
    expect((await cli(['tasks', '--all', '--json'])).json()).toHaveLength(all.length);
    const email = all.find((a) => a.assignee?.email)!.assignee.email;
    const mine = (await cli(['tasks', '--all', '--assignee', email, '--json'])).json();
    expect(mine).toHaveLength(all.filter((a) => a.assignee?.email === email).length);
  });

  it('people: everyone met, with meetings and minutes together', async () => {
    const people = (await cli(['people', '--json'])).json();
    const byEmail = new Map<string, Set<number>>();
    for (const m of truth) for (const a of m.calendar_invitees) if (a.email) (byEmail.get(a.email.toLowerCase()) ?? byEmail.set(a.email.toLowerCase(), new Set()).get(a.email.toLowerCase())!).add(m.recording_id);
    expect(people).toHaveLength(byEmail.size);
    for (const p of people.slice(0, 20)) {
      const ids = byEmail.get(p.email)!;
      expect(p.meetings).toBe(ids.size);
      const minutes = [...ids].reduce((sum, id) => {
        const m = truth.find((t) => t.recording_id === id)!;
        return sum + (Date.parse(m.recording_end_time) - Date.parse(m.recording_start_time)) / 60000;
      }, 0);
      expect(p.minutes_together).toBeCloseTo(minutes, 0);
    }
    const external = (await cli(['people', '--external', '--json'])).json();
    expect(external.every((p: any) => p.external === true)).toBe(true);
    const one = (await cli(['people', people[0].email, '--json'])).json();
    expect(one.person.email).toBe(people[0].email);
    expect(one.meetings).toHaveLength(people[0].meetings);
  });

  it('stats: meetings, hours, external share and open action items of the API data', async () => {
    const s = (await cli(['stats', '--json'])).json();
    expect(s.meetings).toBe(truth.length);
    const hours = truth.reduce((h, m) => h + (Date.parse(m.recording_end_time) - Date.parse(m.recording_start_time)) / 3600000, 0);
    expect(s.hours).toBeCloseTo(hours, 1);
    const external = truth.filter((m) => m.calendar_invitees.some((a: any) => a.is_external) || m.calendar_invitees_domains_type === 'one_or_more_external').length;
    expect(s.external_meeting_share).toBeCloseTo(external / truth.length, 3);
    expect(s.open_action_items).toBe(truth.flatMap((m) => m.action_items ?? []).filter((a: any) => !a.completed).length);
    expect(s.weeks.reduce((n: number, w: any) => n + w.meetings, 0)).toBe(truth.length);
  });
});

describe('export', () => {
  it('md: one safe file per meeting inside --out; a re-run writes nothing; a renamed meeting moves; an edited file is kept', async () => {
    const out = path.join(home.home, 'notes');
    const first = await cli(['export', '--format', 'md', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^${truth.length} written, 0 unchanged`));
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.md'));
    expect(files).toHaveLength(truth.length);
    // Every file is a plain name in the folder: no path from a title escaped it.
    expect(fs.readdirSync(home.home).sort()).toEqual(['fs', 'notes'].sort());
    for (const f of files) {
      expect(f).toMatch(/^\d{4}-\d\d-\d\d [^/\\<>:"|?*\u0000-\u001f]+ \(-?\d+\)\.md$/);
      expect(Buffer.byteLength(f)).toBeLessThan(200);
      expect(f.startsWith('.')).toBe(false);
    }
    const again = await cli(['export', '--format', 'md', '--out', out]);
    expect(again.stdout).toMatch(new RegExp(`^0 written, ${truth.length} unchanged`));

    const [renamed, edited] = [truth[0]!, truth[1]!];
    const editedFile = files.find((f) => f.endsWith(`(${edited.recording_id}).md`))!;
    fs.appendFileSync(path.join(out, editedFile), '\nmy own notes\n');
    server.updateMeeting(renamed.recording_id, { title: 'A brand new title' });
    server.updateMeeting(edited.recording_id, { title: 'Edited elsewhere too' });
    expect((await cli(['run', '--quiet'])).code).toBe(0);
    const third = await cli(['export', '--format', 'md', '--out', out]);
    expect(third.stdout).toMatch(/^1 written, \d+ unchanged, 1 skipped \(1 renamed\)/);
    expect(third.stderr).toMatch(new RegExp(`warning: skipped .*\\(${edited.recording_id}\\)\\.md: it was edited`));
    expect(fs.readdirSync(out).filter((f) => f.endsWith(`(${renamed.recording_id}).md`))).toEqual([`${renamed.created_at.slice(0, 10)} A brand new title (${renamed.recording_id}).md`]);
    expect(fs.readFileSync(path.join(out, editedFile), 'utf8')).toMatch(/my own notes/);
    const forced = await cli(['export', '--format', 'md', '--out', out, '--force']);
    expect(forced.stdout).toMatch(/^1 written/);
    expect(fs.readdirSync(out).some((f) => f.endsWith(`Edited elsewhere too (${edited.recording_id}).md`))).toBe(true);
    truth = server.meetings() as Record<string, any>[];
  });

  it('ndjson: what Fathom sent, losslessly, plus talk time; csv: RFC 4180 with formulas neutralised', async () => {
    const nd = await cli(['export', '--format', 'ndjson']);
    expect(nd.code).toBe(0);
    const lines = nd.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(truth.length);
    for (const line of lines) {
      const { talk_time: _t, ...meeting } = line;
      expect(meeting).toEqual(truth.find((t) => t.recording_id === line.recording_id));
    }
    const csv = await cli(['export', '--format', 'csv']);
    const rows = parseCsv(csv.stdout);
    expect(rows[0]![0]).toBe('recording_id');
    expect(rows).toHaveLength(truth.length + 1);
    const titleColumn = rows[0]!.indexOf('title');
    for (const row of rows.slice(1)) {
      const m = truth.find((t) => t.recording_id === Number(row[0]))!;
      const title = row[titleColumn]!;
      if (/^[=+\-@]/.test(m.title)) expect(title).toBe(`'${m.title}`);
      else expect(title).toBe(m.title);
    }
    expect(rows.slice(1).some((r) => r[titleColumn]!.startsWith("'="))).toBe(true);
  });

  it('an --out that cannot be written exits 2 and writes nothing', async () => {
    const file = path.join(home.home, 'a-file');
    fs.writeFileSync(file, 'x');
    const r = await cli(['export', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^fathom-sync: cannot write to --out /);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });
});

describe("other people's text and bad input", () => {
  it('titles, names and lines with terminal escapes print harmless in every command', async () => {
    // The fake server's data carries such text (see HOSTILE_TITLES); one more title makes sure
    // this run has a meeting whose very title would clear the screen and set the window title.
    const target = truth[2]!;
    server.updateMeeting(target.recording_id, { title: '\u001b[2J\u001b]0;pwned\u0007 \u202eweiver\u202c Acme' });
    expect((await cli(['run', '--all', '--quiet'])).code).toBe(0);
    truth = server.meetings() as Record<string, any>[];
    const hostile = truth.filter((m) => /[\u001b\u202e]/.test(JSON.stringify(m))).map((m) => m.recording_id);
    expect(hostile).toContain(target.recording_id);
    const outputs = [
      await cli(['list', '--limit', '1000']),
      await cli(['search', 'terminal OR Acme', '--limit', '200']),
      await cli(['people']),
      await cli(['tasks', '--all']),
      await cli(['stats']),
      ...(await Promise.all(hostile.slice(0, 8).map((id) => cli(['show', String(id), '--transcript'])))),
    ];
    for (const r of outputs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(CONTROL);
      expect(r.stdout).not.toMatch(/\u202e/);
      expect(r.stderr).not.toMatch(CONTROL);
    }
    expect(outputs[0]!.stdout).toMatch(/␛\[2J␛\]0;pwned/);
  });

  it('unknown ids, bad dates and bad flags exit 2 with one line', async () => {
    const cases: [string[], RegExp][] = [
      [['show', '999999999'], /no meeting 999999999/],
      [['show', 'https://fathom.video/calls/1'], /no meeting/],
      [['list', '--since', '2026-02-30'], /is not a date/],
      [['tasks', '--done', '--all'], /cannot be combined/],
      [['export', '--format', 'pdf', '--out', home.home], /--format "pdf"/],
      [['export', '--id', '12345', '--format', 'csv'], /no meeting 12345/],
      [['people', '--sort', 'age'], /--sort "age"/],
      [['search', 'budget', '--in', 'slides'], /--in "slides"/],
    ];
    for (const [args, why] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(why);
      expect(r.stdout).toBe('');
    }
  });

  it('show takes a Fathom link pasted from the browser', async () => {
    const m = truth[3]!;
    const r = (await cli(['show', `${m.url}?timestamp=12`, '--json'])).json();
    expect(r.recording_id).toBe(m.recording_id);
  });

  it('no database yet: says to run a sync first', async () => {
    const r = await cli(['list'], { FATHOM_SYNC_DB: path.join(home.home, 'none.db') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no meetings synced yet/);
    expect(r.stderr).toMatch(/fathom-sync run --all/);
    expect(fs.existsSync(path.join(home.home, 'none.db'))).toBe(false);
  });

  it('read commands leave the database untouched and ignore the sync lock', async () => {
    const file = dbPath(env);
    const lockFile = path.join(env.FATHOM_SYNC_HOME!, 'state', 'sync.lock');
    fs.mkdirSync(path.dirname(lockFile), { recursive: true });
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), startedAt: new Date().toISOString() }));
    const before = fs.readFileSync(file);
    try {
      for (const args of [['list'], ['stats'], ['search', 'budget'], ['people'], ['tasks']]) expect((await cli(args)).code).toBe(0);
    } finally {
      fs.rmSync(lockFile, { force: true });
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('| head ends quietly', async () => {
    const child = startCli(['list', '--limit', '1000'], env);
    child.stdout!.once('data', () => child.stdout!.destroy());
    const r = await collect(child);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
