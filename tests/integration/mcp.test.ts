import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFathom, type FakeFathom, type FullMeeting } from '../../src/fake-server/server.js';
import { dbPath, runCli, startCli, collect, tempHome, REPO } from '../helpers/cli.js';
import { startGateProxy } from '../helpers/gate-proxy.js';
import { connectMcp, textOf, type ClientKind, type McpTestClient, type ToolResult } from '../helpers/mcp-clients.js';
import { query } from '../helpers/truth.js';

/**
 * `fathom-sync mcp` spoken to by real MCP clients (the v2 SDK client on the 2026-07-28 revision
 * and the v1 SDK client on `initialize`), over stdio, against a database synced from the fake
 * Fathom server: what each tool returns is compared with the API's data, the database, and what
 * the matching CLI command prints with --json.
 */

const NOW = '2026-11-20T12:00:00Z';
/** A key the server must never show, in any answer or log. */
const API_KEY = 'fake-key-never-shown-7f3a91';
const PAGE_CAP = 40_000;
const LONG_LINES = 3000;

let server: FakeFathom;
let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;
/** The meeting given a long transcript, for paging. */
let longId: number;
let truth: FullMeeting[];

const clock = (s: number) => [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
const seconds = (hms: string) => hms.split(':').reduce((t, n) => t * 60 + Number(n), 0);

async function cliJson(args: string[]): Promise<any> {
  const r = await runCli([...args, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

function structured(result: ToolResult): Record<string, any> {
  expect(result.isError ?? false, textOf(result)).toBe(false);
  expect(result.structuredContent).toBeDefined();
  return result.structuredContent!;
}

beforeAll(async () => {
  server = await startFakeFathom({ seed: 11, meetingCount: 45, now: Date.parse(NOW), segmentsPerMeeting: [0, 50], pendingFraction: 0.05, apiKeys: [API_KEY] });
  // One meeting with a transcript far longer than a page: 3,000 lines.
  const base = server.meetings().find((m) => m.default_summary && (m.transcript?.length ?? 0) >= 5)!;
  longId = base.recording_id;
  server.updateMeeting(longId, {
    transcript: Array.from({ length: LONG_LINES }, (_, i) => {
      const line = base.transcript![i % base.transcript!.length]!;
      return { ...line, text: `${line.text} (line ${i})`, timestamp: clock(i * 4) };
    }),
  });
  truth = server.meetings();
  home = tempHome();
  env = { ...home.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: API_KEY, FATHOM_SYNC_NOW: NOW };
  const sync = await runCli(['run', '--all', '--quiet'], env);
  expect(sync.code, sync.stderr).toBe(0);
});
afterAll(async () => {
  await server.close();
  home.cleanup();
});

const TOOL_NAMES = ['search_meetings', 'list_meetings', 'get_meeting', 'get_transcript', 'list_action_items', 'get_talk_time', 'list_people'];

describe.each<ClientKind>(['v2', 'v1'])('with the %s client', (kind) => {
  let client: McpTestClient;
  let requestsBefore: number;
  beforeAll(async () => {
    requestsBefore = server.requests.length;
    client = await connectMcp(kind, env);
  });
  afterAll(async () => {
    // No tool called Fathom, and nothing the server said or logged shows the credential.
    expect(server.requests.length).toBe(requestsBefore);
    expect(client.stderr()).not.toContain(API_KEY);
    await client.close();
  });

  /** Calls a tool and checks, for every answer, that the credential appears nowhere in it. */
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.call(name, args);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
    return result;
  };

  it('initializes and names itself', () => {
    expect(client.serverInfo).toMatchObject({ name: 'fathom-sync', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(client.instructions).toMatch(/search_meetings/);
    if (kind === 'v2') expect(client.protocolVersion).toBe('2026-07-28');
  });

  it('lists the seven tools, each read-only with an input and an output schema', async () => {
    const tools = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.annotations, tool.name).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: false });
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.search_meetings!.inputSchema.required).toEqual(['query']);
    expect(Object.keys(byName.search_meetings!.inputSchema.properties).sort()).toEqual(['limit', 'query', 'since', 'speaker', 'until', 'with']);
    expect(Object.keys(byName.get_transcript!.inputSchema.properties).sort()).toEqual(['cursor', 'from', 'recording_id', 'speaker', 'to']);
    expect(byName.list_action_items!.inputSchema.properties.status.enum).toEqual(['open', 'done', 'all']);
  });

  it('list_meetings: the meetings the API has, newest first, as `list --json` gives them', async () => {
    const all = structured(await call('list_meetings', { limit: 200 }));
    expect(all.meetings.map((m: any) => m.recording_id)).toEqual(truth.map((m) => m.recording_id));
    expect(all.meetings.map((m: any) => m.title)).toEqual(truth.map((m) => m.title));
    expect(all).toEqual({ meetings: await cliJson(['list', '--limit', '200']) });

    const since = truth[30]!.created_at.slice(0, 10);
    const until = truth[10]!.created_at.slice(0, 10);
    const ranged = await call('list_meetings', { since, until, limit: 100 });
    expect(structured(ranged)).toEqual({ meetings: await cliJson(['list', '--since', since, '--until', until, '--limit', '100']) });
    const lo = Date.parse(`${since}T00:00:00Z`);
    const hi = Date.parse(`${until}T23:59:59.999Z`);
    expect(structured(ranged).meetings.map((m: any) => m.recording_id)).toEqual(truth.filter((m) => Date.parse(m.created_at) >= lo && Date.parse(m.created_at) <= hi).map((m) => m.recording_id));
    expect(textOf(ranged)).toContain(`| ${structured(ranged).meetings[0].recording_id} |`);

    const withAcme = structured(await call('list_meetings', { with: 'acme.com', limit: 100 }));
    expect(withAcme.meetings.length).toBeGreaterThan(0);
    expect(withAcme.meetings.map((m: any) => m.recording_id)).toEqual(truth.filter((m) => m.calendar_invitees.some((a) => a.email?.endsWith('@acme.com'))).map((m) => m.recording_id));
  });

  it('get_meeting: header, attendees, summary, action items and talk time of the API meeting; talk time as `show --json`', async () => {
    const pending = truth.find((m) => m.default_summary === null)!;
    for (const m of [truth[0]!, truth[7]!, truth[19]!, pending]) {
      const result = await call('get_meeting', { recording_id: m.recording_id });
      const got = structured(result);
      const shown = await cliJson(['show', String(m.recording_id)]);
      expect(got).toMatchObject({
        recording_id: m.recording_id,
        title: m.title ?? m.meeting_title,
        created_at: m.created_at,
        url: m.url,
        share_url: m.share_url,
        recorded_by: { name: m.recorded_by.name, email: m.recorded_by.email },
        attendees: m.calendar_invitees.map((a) => ({ name: a.name, email: a.email, external: a.is_external })),
        summary_markdown: m.default_summary?.markdown_formatted ?? null,
        action_items: (m.action_items ?? []).map((a) => ({
          description: a.description,
          completed: a.completed,
          assignee_name: a.assignee?.name ?? null,
          assignee_email: a.assignee?.email ?? null,
          recording_timestamp: a.recording_timestamp,
          playback_url: a.recording_playback_url,
        })),
        transcript_lines: m.transcript?.length ?? 0,
      });
      expect(got.duration_seconds).toBe((Date.parse(m.recording_end_time) - Date.parse(m.recording_start_time)) / 1000);
      expect(got.talk_time).toEqual(shown.talk_time);
      expect(textOf(result)).toContain('## Summary');
      expect(textOf(result)).toContain(`recording_id ${m.recording_id}`);
    }
    // A Fathom link works as well as the id.
    const byLink = structured(await call('get_meeting', { recording_id: truth[3]!.share_url! }));
    expect(byLink.recording_id).toBe(truth[3]!.recording_id);
  });

  it('get_transcript: every line as the API sent it; from/to and speaker take the same part as the API data', async () => {
    const m = truth.find((x) => x.recording_id !== longId && (x.transcript?.length ?? 0) >= 12)!;
    const whole = structured(await call('get_transcript', { recording_id: m.recording_id }));
    expect(whole.next_cursor).toBeNull();
    expect(whole.total_lines).toBe(m.transcript!.length);
    expect(whole.lines.map((l: any) => ({ speaker: l.speaker_name, text: l.text, timestamp: l.timestamp }))).toEqual(
      m.transcript!.map((l) => ({ speaker: l.speaker.display_name, text: l.text, timestamp: l.timestamp })),
    );

    const from = m.transcript![3]!.timestamp;
    const to = m.transcript![9]!.timestamp;
    const part = structured(await call('get_transcript', { recording_id: m.recording_id, from, to }));
    expect(part.lines.map((l: any) => l.text)).toEqual(m.transcript!.filter((l) => seconds(l.timestamp) >= seconds(from) && seconds(l.timestamp) <= seconds(to)).map((l) => l.text));

    const speaker = m.transcript![0]!.speaker.display_name;
    const theirs = structured(await call('get_transcript', { recording_id: m.recording_id, speaker: speaker.toUpperCase() }));
    expect(theirs.lines.map((l: any) => l.text)).toEqual(m.transcript!.filter((l) => l.speaker.display_name === speaker).map((l) => l.text));
  });

  it('get_transcript pages a long transcript under the cap; each cursor continues exactly where its page ended', async () => {
    const expected = truth.find((m) => m.recording_id === longId)!.transcript!;
    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result: ToolResult = await call('get_transcript', { recording_id: longId, ...(cursor ? { cursor } : {}) });
      const page = structured(result);
      pages += 1;
      expect(textOf(result).length).toBeLessThan(PAGE_CAP);
      expect(JSON.stringify(page).length).toBeLessThan(PAGE_CAP);
      expect(page.total_lines).toBe(LONG_LINES);
      expect(page.lines.length).toBeGreaterThan(0);
      if (seen.length) expect(page.lines[0].seq).toBe(seen.at(-1).seq + 1);
      seen.push(...page.lines);
      cursor = page.next_cursor;
      if (cursor) expect(textOf(result)).toContain(cursor);
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.map((l) => l.seq)).toEqual(Array.from({ length: LONG_LINES }, (_, i) => i));
    expect(seen.map((l) => [l.speaker_name, l.text, l.timestamp])).toEqual(expected.map((l) => [l.speaker.display_name, l.text, l.timestamp]));

    // The cursor carries the request: one speaker's lines from 01:00:00 on, over pages, each once.
    const speaker = expected[1]!.speaker.display_name;
    const wanted = expected.filter((l) => l.speaker.display_name === speaker && seconds(l.timestamp) >= 3600).map((l) => l.text);
    const got: string[] = [];
    cursor = null;
    do {
      const page: Record<string, any> = structured(await call('get_transcript', { recording_id: longId, speaker, from: '1:00:00', ...(cursor ? { cursor } : {}) }));
      got.push(...page.lines.map((l: any) => l.text));
      cursor = page.next_cursor;
    } while (cursor);
    expect(got).toEqual(wanted);
  });

  it('search_meetings: the hits of `search --json`, each found in the API data', async () => {
    const result = await call('search_meetings', { query: 'budget' });
    const hits = structured(result);
    expect(hits).toEqual(await cliJson(['search', 'budget']));
    expect(hits.total).toBeGreaterThan(hits.hits.length);
    for (const hit of hits.hits) {
      const m = truth.find((x) => x.recording_id === hit.recording_id)!;
      expect(hit.title).toBe(m.title);
      if (hit.kind === 'transcript') {
        expect(m.transcript!.some((l) => l.timestamp === hit.timestamp && l.speaker.display_name === hit.speaker_name && /budget/i.test(l.text))).toBe(true);
      }
      expect(hit.snippet.toLowerCase()).toContain('[budget');
    }
    expect(textOf(result)).toContain('**');

    const speaker = truth.find((m) => m.recording_id === longId)!.transcript![0]!.speaker.display_name;
    const since = truth[25]!.created_at.slice(0, 10);
    const narrowed = structured(await call('search_meetings', { query: '"next quarter" OR roadmap', since, until: NOW.slice(0, 10), speaker, with: ['lumenfield.io'], limit: 50 }));
    expect(narrowed).toEqual(await cliJson(['search', '"next quarter" OR roadmap', '--since', since, '--until', NOW.slice(0, 10), '--speaker', speaker, '--with', 'lumenfield.io', '--limit', '50']));
    expect(narrowed.hits.length).toBeGreaterThan(0);
    expect(narrowed.hits.every((h: any) => h.kind === 'transcript' && h.speaker_name === speaker)).toBe(true);

    const none = await call('search_meetings', { query: 'xylophonequartz' });
    expect(structured(none)).toEqual({ query: 'xylophonequartz', total: 0, hits: [] });
    expect(textOf(none)).toMatch(/^No matches/);
  });

  it('list_action_items: the items of `tasks --json`, as many as the API has', async () => {
    const open = structured(await call('list_action_items', {}));
    expect(open).toEqual({ action_items: await cliJson(['tasks', '--limit', '50']) });
    const all = structured(await call('list_action_items', { status: 'all', limit: 500 }));
    expect(all.action_items.length).toBe(truth.reduce((n, m) => n + (m.action_items?.length ?? 0), 0));
    const done = structured(await call('list_action_items', { status: 'done', limit: 500 }));
    expect(done.action_items.every((t: any) => t.completed)).toBe(true);
    expect(done.action_items.length + structured(await call('list_action_items', { limit: 500 })).action_items.length).toBe(all.action_items.length);

    const assignee = truth.flatMap((m) => m.action_items ?? []).find((a) => a.assignee?.email)!.assignee!.email!;
    const theirs = structured(await call('list_action_items', { assignee: assignee.toUpperCase(), status: 'all', limit: 500 }));
    expect(theirs).toEqual({ action_items: await cliJson(['tasks', '--all', '--assignee', assignee, '--limit', '500']) });
    expect(theirs.action_items.length).toBe(truth.flatMap((m) => m.action_items ?? []).filter((a) => a.assignee?.email?.toLowerCase() === assignee.toLowerCase()).length);
  });

  it('get_talk_time: one meeting as `show --json`; a date range sums the meetings in it', async () => {
    const m = truth[2]!;
    const one = structured(await call('get_talk_time', { recording_id: m.recording_id }));
    expect(one).toEqual({ recording_id: m.recording_id, talk_time: (await cliJson(['show', String(m.recording_id)])).talk_time, totals: null });

    const since = truth[20]!.created_at.slice(0, 10);
    const until = truth[5]!.created_at.slice(0, 10);
    const range = await call('get_talk_time', { since, until });
    const totals = structured(range).totals;
    expect(structured(range)).toMatchObject({ recording_id: null, talk_time: null });
    // The same shares as `stats`, and the sums of every meeting's own talk time.
    const stats = await cliJson(['stats', '--since', since, '--until', until]);
    expect({ internal: totals.internal_share, external: totals.external_share, unknown: totals.unknown_share }).toEqual({
      internal: stats.talk.internal_share,
      external: stats.talk.external_share,
      unknown: stats.talk.unknown_share,
    });
    const lo = Date.parse(`${since}T00:00:00Z`);
    const hi = Date.parse(`${until}T23:59:59.999Z`);
    const inRange = truth.filter((x) => Date.parse(x.created_at) >= lo && Date.parse(x.created_at) <= hi && (x.transcript?.length ?? 0) > 0);
    const perMeeting = await Promise.all(inRange.map(async (x) => (await call('get_talk_time', { recording_id: x.recording_id })).structuredContent!.talk_time));
    expect(totals.meetings).toBe(inRange.length);
    expect(totals.total_seconds).toBeCloseTo(perMeeting.reduce((n, t) => n + t.total_seconds, 0), 1);
    const bySpeaker = new Map<string, { seconds: number; meetings: number }>();
    for (const t of perMeeting) {
      for (const s of t.speakers) {
        const key = s.email?.toLowerCase() ?? s.name;
        const entry = bySpeaker.get(key) ?? { seconds: 0, meetings: 0 };
        bySpeaker.set(key, { seconds: entry.seconds + s.seconds, meetings: entry.meetings + 1 });
      }
    }
    expect(totals.speakers.length).toBe(Math.min(50, bySpeaker.size));
    for (const s of totals.speakers) {
      const expected = bySpeaker.get(s.email?.toLowerCase() ?? s.name)!;
      expect(s.seconds).toBeCloseTo(expected.seconds, 1);
      expect(s.meetings).toBe(expected.meetings);
    }
    expect(textOf(range)).toMatch(/internal \d+%/);
  });

  it('list_people: everyone the API meetings had, as `people --json`', async () => {
    expect(structured(await call('list_people', {}))).toEqual({ people: await cliJson(['people', '--limit', '50']) });
    expect(structured(await call('list_people', { external: true, limit: 10 }))).toEqual({ people: await cliJson(['people', '--external', '--limit', '10']) });
    expect(structured(await call('list_people', { domain: 'acme.com' }))).toEqual({ people: await cliJson(['people', '--domain', 'acme.com', '--limit', '50']) });
    const everyone = structured(await call('list_people', { limit: 1000 })).people.map((p: any) => p.email).sort();
    expect(everyone).toEqual([...new Set(truth.flatMap((m) => m.calendar_invitees.map((a) => a.email!.toLowerCase())))].sort());
  });

  it('serves each meeting as fathom://meetings/{recording_id}: the Markdown `export` writes', async () => {
    expect((await client.listResourceTemplates()).map((t) => t.uriTemplate)).toEqual(['fathom://meetings/{recording_id}']);
    const listed = await client.listResources();
    expect(listed.map((r) => r.uri)).toEqual(truth.map((m) => `fathom://meetings/${m.recording_id}`));
    const id = truth[4]!.recording_id;
    const out = path.join(home.home, `export-${kind}`);
    expect((await runCli(['export', '--format', 'md', '--out', out, '--id', String(id)], env)).code).toBe(0);
    const [file] = fs.readdirSync(out).filter((f) => f.endsWith('.md'));
    const [content] = await client.readResource(`fathom://meetings/${id}`);
    expect(content!.mimeType).toBe('text/markdown');
    expect(content!.text).toBe(fs.readFileSync(path.join(out, file!), 'utf8'));
    await expect(client.readResource('fathom://meetings/1')).rejects.toThrow(/No meeting 1/);
  });

  it('bad arguments get a tool error of one sentence to act on, and the server carries on', async () => {
    const id = truth[0]!.recording_id;
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['get_meeting', { recording_id: 1 }, /^No meeting 1 in the database: find its recording_id with search_meetings or list_meetings\.$/],
      ['get_meeting', { recording_id: 'https://fathom.video/share/nothing-here' }, /^No meeting "https:\/\/fathom\.video\/share\/nothing-here"/],
      ['get_transcript', { recording_id: 2 }, /^No meeting 2 /],
      ['get_talk_time', { recording_id: 3 }, /^No meeting 3 /],
      ['list_meetings', { since: 'yesterday' }, /^since "yesterday" is not a date \(use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ\)\.$/],
      ['list_meetings', { since: '2026-11-10', until: '2026-11-01' }, /^since 2026-11-10 is after until 2026-11-01\.$/],
      ['list_meetings', { with: 'not a company' }, /^with "not a company" is neither an email address nor a company domain/],
      ['search_meetings', { query: 'budget "next' }, /^Cannot read the search query: a quote \(".*is not closed; words must all match/],
      ['search_meetings', { query: '   ' }, /^Cannot read the search query: it is empty/],
      ['search_meetings', { query: 'budget', until: '2026-02-30' }, /^until "2026-02-30" is not a date/],
      ['get_transcript', { recording_id: id, from: 'noon' }, /^from "noon" is not a moment in the recording: use HH:MM:SS, MM:SS or a number of seconds\.$/],
      ['get_transcript', { recording_id: id, from: '00:10:00', to: '00:05:00' }, /^from 00:10:00 is after to 00:05:00\.$/],
      ['get_transcript', { recording_id: id, cursor: 'not-a-cursor' }, /^cursor is not one this server gave out/],
      ['list_action_items', { assignee: 'Priya' }, /^assignee "Priya" is not an email address: find the person's email with list_people\.$/],
      ['get_talk_time', { recording_id: id, since: '2026-01-01' }, /^Give either recording_id .* not both\.$/],
      ['list_meetings', { limit: 0 }, /limit/],
      ['list_action_items', { status: 'later' }, /status/],
    ];
    for (const [name, args, message] of cases) {
      const result = await call(name, args);
      const text = textOf(result);
      expect(result.isError, `${name} ${JSON.stringify(args)}: ${text}`).toBe(true);
      expect(text, `${name} ${JSON.stringify(args)}`).toMatch(message);
      expect(text).not.toContain('\n');
      expect(text).not.toMatch(/\bat .*\.js:\d+/);
    }
    // A cursor from one meeting does not continue another.
    const page = structured(await call('get_transcript', { recording_id: longId }));
    const other = await call('get_transcript', { recording_id: id, cursor: page.next_cursor });
    expect(other.isError).toBe(true);
    expect(textOf(other)).toMatch(new RegExp(`^cursor belongs to another meeting \\(recording_id ${longId}\\)`));
    expect(structured(await call('list_meetings', { limit: 1 })).meetings).toHaveLength(1);
  });
});

describe('the 2025-era handshake of the v2 client', () => {
  it('initializes and answers', async () => {
    const client = await connectMcp('v2-initialize', env);
    try {
      expect(client.protocolVersion).toMatch(/^2025-/);
      expect(structured(await client.call('list_meetings', { limit: 2 })).meetings).toHaveLength(2);
    } finally {
      await client.close();
    }
  });
});

describe('stdout', () => {
  it('carries the protocol only; logs go to stderr; closing stdin ends the server', async () => {
    const child = startCli(['mcp'], env);
    const done = collect(child);
    const send = (message: object) => child.stdin!.write(`${JSON.stringify(message)}\n`);
    const answered = new Set<number>();
    const allAnswered = new Promise<void>((resolve) => {
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        const id = (JSON.parse(line) as { id?: number }).id;
        if (typeof id === 'number') answered.add(id);
        if (answered.size === 4) resolve();
      });
    });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'search_meetings', arguments: { query: 'budget', limit: 2 } } });
    send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'get_meeting', arguments: { recording_id: 1 } } });
    await allAnswered;
    child.stdin!.end();
    const r = await done;
    expect(r.code).toBe(0);
    const messages = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { jsonrpc: string; id?: number; result?: any });
    expect(messages.every((m) => m.jsonrpc === '2.0')).toBe(true);
    expect(messages.map((m) => m.id).sort()).toEqual([1, 2, 3, 4]);
    const byId = new Map(messages.map((m) => [m.id, m]));
    expect(byId.get(1)!.result.protocolVersion).toBe('2025-06-18');
    expect(byId.get(2)!.result.tools).toHaveLength(7);
    expect(byId.get(3)!.result.structuredContent.hits).toHaveLength(2);
    expect(byId.get(4)!.result.isError).toBe(true);
    expect(r.stderr).toContain(`fathom-sync mcp: serving ${dbPath(env)} (read-only)`);
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
  });
});

describe('no database yet', () => {
  it('every tool says to run `fathom-sync run --all`; after a sync the same server answers', async () => {
    const empty = tempHome();
    const e = { ...empty.baseEnv, FATHOM_API_URL: server.url, FATHOM_API_KEY: API_KEY, FATHOM_SYNC_NOW: NOW };
    const client = await connectMcp('v2', e);
    try {
      const args: Record<string, Record<string, unknown>> = {
        search_meetings: { query: 'budget' },
        list_meetings: {},
        get_meeting: { recording_id: truth[0]!.recording_id },
        get_transcript: { recording_id: truth[0]!.recording_id },
        list_action_items: {},
        get_talk_time: {},
        list_people: {},
      };
      for (const name of TOOL_NAMES) {
        const result = await client.call(name, args[name]!);
        expect(result.isError, name).toBe(true);
        expect(textOf(result), name).toBe(`No meetings synced yet: there is no database at ${dbPath(e)}. Sync your meetings first: run \`fathom-sync run --all\` in a terminal.`);
      }
      expect(await client.listResources()).toEqual([]);
      expect(fs.existsSync(dbPath(e))).toBe(false); // asking created nothing
      expect(client.stderr()).toContain('no database at');

      expect((await runCli(['run', '--all', '--quiet'], e)).code).toBe(0);
      expect(structured(await client.call('list_meetings', { limit: 200 })).meetings).toHaveLength(truth.length);

      // The database deleted under the running server (as `disconnect --purge` does), then synced anew.
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${dbPath(e)}${suffix}`, { force: true });
      expect(textOf(await client.call('list_meetings', {}))).toMatch(/^No meetings synced yet: .*`fathom-sync run --all`/);
      expect((await runCli(['run', '--last', '3', '--quiet'], e)).code).toBe(0);
      expect(structured(await client.call('list_meetings', { limit: 200 })).meetings.map((m: any) => m.recording_id)).toEqual(truth.slice(0, 3).map((m) => m.recording_id));
    } finally {
      await client.close();
      empty.cleanup();
    }
  });
});

describe('a sync running at the same time', () => {
  it('tools answer from what each page committed while `run --all` holds the lock and writes; the sync finishes', async () => {
    const slow = await startFakeFathom({ seed: 5, meetingCount: 34, now: Date.parse(NOW), segmentsPerMeeting: [5, 40], pendingFraction: 0, latencyMs: 20 });
    const gate = await startGateProxy(slow.url, (pathname) => pathname.endsWith('/meetings'));
    const side = tempHome();
    const e = { ...side.baseEnv, FATHOM_API_URL: gate.url, FATHOM_API_KEY: 'fake-api-key', FATHOM_SYNC_NOW: NOW };
    const client = await connectMcp('v1', e);
    try {
      const run = startCli(['run', '--all'], e);
      const finished = collect(run);
      // Each committed page prints "page N: M meetings (...)" on stderr; the run then waits at the gate.
      const events: (number | 'exit')[] = [];
      let wake: (() => void) | null = null;
      readline.createInterface({ input: run.stderr! }).on('line', (line) => {
        const m = /^page \d+: (\d+) meetings/.exec(line);
        if (m) events.push(Number(m[1]));
        wake?.();
      });
      void finished.then(() => {
        events.push('exit');
        wake?.();
      });
      const next = async (): Promise<number | 'exit'> => {
        while (events.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        return events.shift()!;
      };

      gate.release();
      let committed = 0;
      let pagesSeen = 0;
      let burst: Promise<ToolResult[]> = Promise.resolve([]);
      for (let event = await next(); event !== 'exit'; event = await next()) {
        const before = committed;
        committed = event;
        pagesSeen += 1;
        // Calls made while the previous page was being written: each answered, from a whole page.
        for (const r of await burst) {
          const n = structured(r).meetings.length;
          expect(n === before || n === committed, `${n} meetings: not a committed state (${before} or ${committed})`).toBe(true);
        }
        // The run is now held at the gate (or finishing): what is committed is exactly what the tools see.
        const listed = structured(await client.call('list_meetings', { limit: 200 })).meetings;
        expect(listed).toHaveLength(committed);
        expect(structured(await client.call('get_meeting', { recording_id: listed[0].recording_id })).recording_id).toBe(listed[0].recording_id);
        expect((await client.call('search_meetings', { query: 'budget OR roadmap' })).isError ?? false).toBe(false);
        expect((await client.call('get_talk_time', {})).isError ?? false).toBe(false);
        gate.release();
        burst = Promise.all(Array.from({ length: 4 }, () => client.call('list_meetings', { limit: 200 })));
      }
      for (const r of await burst) expect(structured(r).meetings).toHaveLength(committed);
      const result = await finished;
      expect(result.code, result.stderr).toBe(0);
      // Time slices, each read to its last page: at least a page per ten meetings.
      expect(pagesSeen).toBeGreaterThanOrEqual(Math.ceil(34 / 10));
      expect(committed).toBe(34);
      expect(structured(await client.call('list_meetings', { limit: 200 })).meetings.map((m: any) => m.recording_id)).toEqual(slow.meetings().map((m) => m.recording_id));
    } finally {
      await client.close();
      await gate.close();
      await slow.close();
      side.cleanup();
    }
  });
});

describe('mcp --print-config', () => {
  const jsonBlock = (stdout: string) => {
    const lines = stdout.split('\n');
    const start = lines.findIndex((l) => l === '{');
    const end = lines.findIndex((l, i) => i > start && l === '}');
    return JSON.parse(lines.slice(start, end + 1).join('\n')) as { mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string> }> };
  };

  it('prints the Claude Desktop block and the `claude mcp add` line with absolute paths, FATHOM_SYNC_HOME, and no secret', async () => {
    const r = await runCli(['mcp', '--print-config'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(API_KEY);
    const entry = jsonBlock(r.stdout).mcpServers['fathom-sync']!;
    expect(entry.command).toBe(process.execPath);
    expect(path.isAbsolute(entry.args[0]!)).toBe(true);
    expect(fs.realpathSync(entry.args[0]!)).toBe(fs.realpathSync(path.join(REPO, 'bin', 'fathom-sync.js')));
    expect(entry.args.slice(1)).toEqual(['mcp', '--db', dbPath(env)]);
    expect(entry.env).toEqual({ FATHOM_SYNC_HOME: env.FATHOM_SYNC_HOME });
    const line = r.stdout.split('\n').find((l) => l.startsWith('claude mcp add'))!;
    expect(line).toBe(`claude mcp add --transport stdio --scope user --env FATHOM_SYNC_HOME=${env.FATHOM_SYNC_HOME} fathom-sync -- ${[entry.command, ...entry.args].join(' ')}`);

    // What it printed starts a server that answers (connectMcp runs the same node and CLI).
    const client = await connectMcp('v2', { PATH: env.PATH, ...entry.env }, entry.args.slice(2));
    try {
      expect(structured(await client.call('list_meetings', { limit: 1 })).meetings[0].recording_id).toBe(truth[0]!.recording_id);
    } finally {
      await client.close();
    }
  });

  it('honours --db (made absolute) and leaves env out when FATHOM_SYNC_HOME is not set', async () => {
    const { FATHOM_SYNC_HOME: _home, ...rest } = env;
    const r = await runCli(['mcp', '--print-config', '--db', 'some dir/calls.db'], { ...rest, HOME: home.home }, { cwd: home.home });
    expect(r.code, r.stderr).toBe(0);
    const entry = jsonBlock(r.stdout).mcpServers['fathom-sync']!;
    expect(entry.args.slice(1)).toEqual(['mcp', '--db', path.join(home.home, 'some dir', 'calls.db')]);
    expect(entry.env).toBeUndefined();
    expect(r.stdout).toContain(`--db '${path.join(home.home, 'some dir', 'calls.db')}'`);
    expect(r.stdout).not.toContain(API_KEY);
  });
});
