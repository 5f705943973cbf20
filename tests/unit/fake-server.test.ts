import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OPTIONS, USAGE, parseCli } from '../../src/fake-server/cli-args.js';
import { meetingJson, recordingTranscript, recordingTranscriptJson, serializeMeeting } from '../../src/fake-server/data/serialize.js';
import { MeetingStore } from '../../src/fake-server/data/store.js';
import {
  OAUTH_INCLUDE_ERROR,
  WEBHOOK_ERRORS,
  startFakeFathom,
  type FakeFathom,
  type FakeFathomOptions,
  type FullMeeting,
} from '../../src/fake-server/server.js';

const KEY = { 'x-api-key': 'fake-api-key' };
const ALL_INCLUDES = {
  include_transcript: 'true',
  include_summary: 'true',
  include_action_items: 'true',
  include_highlights: 'true',
  include_crm_matches: 'true',
};
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Got {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

type Params = Record<string, string | string[]>;

function buildUrl(server: FakeFathom, p: string, params: Params = {}): string {
  const u = new URL(server.url + p);
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) u.searchParams.append(k, x);
  return u.toString();
}

async function call(server: FakeFathom, p: string, params: Params = {}, init: RequestInit = {}): Promise<Got> {
  const res = await fetch(buildUrl(server, p, params), { ...init, headers: { ...KEY, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Every page of /meetings: the raw bodies and the items. */
async function allPages(server: FakeFathom, params: Params = {}, headers: Record<string, string> = {}): Promise<{ bodies: string[]; items: any[]; pages: any[] }> {
  const bodies: string[] = [];
  const items: any[] = [];
  const pages: any[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const r = await call(server, '/meetings', cursor ? { ...params, cursor } : params, { headers });
    expect(r.status, r.text).toBe(200);
    bodies.push(r.text);
    pages.push(r.json);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  return { bodies, items, pages };
}

/** A raw request that reports what actually arrived (for reset / truncate). */
function raw(url: string): Promise<{ error?: string; status?: number; declared?: number; received: number }> {
  return new Promise((resolve) => {
    let received = 0;
    let status: number | undefined;
    let declared: number | undefined;
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      resolve({ error, status, declared, received });
    };
    const req = http.get(url, { headers: { ...KEY, connection: 'close' } }, (res) => {
      status = res.statusCode;
      declared = Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => (received += c.length));
      res.on('aborted', () => finish('aborted'));
      res.on('error', (e) => finish(e.message));
      res.on('end', () => finish());
      res.on('close', () => finish(received < (declared ?? 0) ? 'closed early' : undefined));
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
  });
}

const NOW = Date.parse('2026-11-20T12:00:00Z');
const servers: FakeFathom[] = [];
async function start(options: FakeFathomOptions = {}): Promise<FakeFathom> {
  const s = await startFakeFathom({ now: NOW, segmentsPerMeeting: [2, 12], ...options });
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const SPEC_KEYS = [
  'title',
  'meeting_title',
  'meeting_type',
  'recording_id',
  'url',
  'share_url',
  'meeting_url',
  'created_at',
  'scheduled_start_time',
  'scheduled_end_time',
  'recording_start_time',
  'recording_end_time',
  'calendar_invitees_domains_type',
  'shared_with',
  'transcript_language',
  'calendar_invitees',
  'recorded_by',
  'transcript',
  'default_summary',
  'action_items',
  'highlights',
  'crm_matches',
].sort();

describe('data', () => {
  it('the same seed gives byte-identical pages; another seed differs', async () => {
    const a = await start({ seed: 42, meetingCount: 35 });
    const b = await start({ seed: 42, meetingCount: 35 });
    const c = await start({ seed: 43, meetingCount: 35 });
    const pa = await allPages(a, ALL_INCLUDES);
    const pb = await allPages(b, ALL_INCLUDES);
    const pc = await allPages(c, ALL_INCLUDES);
    expect(pa.bodies).toEqual(pb.bodies);
    expect(pa.bodies.join('')).not.toEqual(pc.bodies.join(''));
    expect(JSON.stringify(a.meetings())).toBe(JSON.stringify(b.meetings()));
  });

  it('meetings are shaped like the spec, with plausible, varied, repeating data', async () => {
    const s = await start({ seed: 7, meetingCount: 150, pendingFraction: 0 });
    const all = s.meetings();
    expect(all).toHaveLength(150);
    const ids = all.map((m) => m.recording_id);
    expect(new Set(ids).size).toBe(150);
    const sortedIds = [...ids].sort((x, y) => x - y);
    expect(sortedIds.some((id, i) => i > 0 && id - sortedIds[i - 1]! !== 1)).toBe(true); // not sequential
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
    const hms = /^\d{2}:\d{2}:\d{2}$/;
    const secs = (t: string) => Number(t.slice(0, 2)) * 3600 + Number(t.slice(3, 5)) * 60 + Number(t.slice(6, 8));
    for (const m of all) {
      expect(Object.keys(m).sort()).toEqual(SPEC_KEYS);
      expect(Number.isInteger(m.recording_id)).toBe(true);
      const callId = /^https:\/\/fathom\.video\/calls\/(\d+)$/.exec(m.url)?.[1];
      expect(callId).toBeDefined();
      expect(Number(callId)).not.toBe(m.recording_id);
      expect(m.share_url).toMatch(/^https:\/\/fathom\.video\/share\/[A-Za-z0-9]+$/);
      for (const t of [m.created_at, m.recording_start_time, m.recording_end_time]) expect(t).toMatch(iso);
      expect(Date.parse(m.recording_end_time)).toBeGreaterThan(Date.parse(m.recording_start_time));
      expect(Date.parse(m.created_at)).toBeGreaterThanOrEqual(Date.parse(m.recording_end_time));
      if (m.scheduled_start_time !== null) expect(Date.parse(m.scheduled_end_time!)).toBeGreaterThan(Date.parse(m.scheduled_start_time));
      expect(['no_teams', 'single_team', 'multiple_teams', 'all_teams']).toContain(m.shared_with);
      expect(m.calendar_invitees_domains_type).toBe(m.calendar_invitees.some((i) => i.is_external) ? 'one_or_more_external' : 'only_internal');
      for (const i of m.calendar_invitees) {
        expect(Object.keys(i).sort()).toEqual(['email', 'email_domain', 'is_external', 'matched_speaker_display_name', 'name']);
        expect(i.email!.endsWith(`@${i.email_domain}`)).toBe(true);
        expect(i.is_external).toBe(i.email_domain !== 'lumenfield.io');
      }
      expect(m.recorded_by.email_domain).toBe('lumenfield.io');
      let prev = -1;
      for (const t of m.transcript!) {
        expect(t.timestamp).toMatch(hms);
        expect(secs(t.timestamp)).toBeGreaterThan(prev);
        prev = secs(t.timestamp);
        expect(typeof t.speaker.display_name).toBe('string');
        if (t.speaker.matched_calendar_invitee_email !== null) {
          const inv = m.calendar_invitees.find((i) => i.email === t.speaker.matched_calendar_invitee_email);
          expect(inv?.matched_speaker_display_name).toBe(t.speaker.display_name);
        }
      }
      expect(m.default_summary!.markdown_formatted).toMatch(/^## /m);
      expect(m.default_summary!.markdown_formatted).toMatch(/^- /m);
      expect(m.action_items!.length).toBeLessThanOrEqual(5);
      for (const a of m.action_items!) {
        expect(a.recording_timestamp).toMatch(hms);
        expect(a.recording_playback_url).toBe(`${m.url}?timestamp=${secs(a.recording_timestamp)}`);
        expect(Object.keys(a.assignee).sort()).toEqual(['email', 'name', 'team']);
      }
      expect(m.highlights!.length).toBeLessThanOrEqual(3);
      for (const h of m.highlights!) expect(h.end_time).toBeGreaterThan(h.start_time);
      expect(m.crm_matches).not.toBeNull();
    }
    // Newest first; the newest is created shortly before `now`.
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1]!, all[i]!];
      expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.recording_id > b.recording_id)).toBe(true);
    }
    expect(NOW - Date.parse(all[0]!.created_at)).toBeLessThan(3600_000);
    expect(NOW - Date.parse(all[0]!.created_at)).toBeGreaterThan(0);
    // A shared pool of contacts that recur; ~5 recorders; variety where the spec allows null.
    const emails = new Set(all.flatMap((m) => m.calendar_invitees.map((i) => i.email)));
    expect(emails.size).toBeGreaterThan(25);
    expect(emails.size).toBeLessThanOrEqual(45);
    expect(new Set(all.map((m) => m.recorded_by.email)).size).toBe(5);
    expect(all.some((m) => m.recorded_by.team === null)).toBe(true);
    expect(new Set(all.flatMap((m) => m.calendar_invitees.filter((i) => i.is_external).map((i) => i.email_domain))).size).toBe(4);
    expect(all.some((m) => m.meeting_title === null && m.meeting_url === null && m.scheduled_start_time === null)).toBe(true);
    expect(all.some((m) => m.meeting_type === null)).toBe(true);
    expect(all.some((m) => m.calendar_invitees.some((i) => i.name === null))).toBe(true);
    expect(all.some((m) => m.transcript!.some((t) => t.speaker.matched_calendar_invitee_email === null))).toBe(true);
    expect(new Set(all.map((m) => m.transcript_language))).toEqual(new Set(['en', 'de', 'unknown']));
    expect(all.some((m) => m.crm_matches!.error === 'no CRM connected')).toBe(true);
    expect(all.some((m) => (m.crm_matches!.deals?.length ?? 0) > 0)).toBe(true);
    expect(all.some((m) => m.highlights!.some((h) => h.text !== undefined)) && all.some((m) => m.highlights!.some((h) => h.text === undefined))).toBe(true);
    const text = JSON.stringify(all);
    for (const re of [/[éüöñ]/, /[\u3040-\u30ff\u4e00-\u9fff]/, /[\u0590-\u06ff]/, /\p{Extended_Pictographic}/u]) expect(text).toMatch(re);
    expect(all.some((m) => m.created_at === all.find((x) => x !== m && x.created_at === m.created_at)?.created_at)).toBe(true); // ties exist
  });

  it('the fast UTF-8 writer gives exactly the bytes JSON.stringify would', () => {
    const store = new MeetingStore({ seed: 12, meetingCount: 80, now: NOW, spacingHours: 9, segmentsPerMeeting: [0, 60], pendingFraction: 0.1 });
    const sks = store.sorted;
    sks[30]!.overrides = { transcript: [{ speaker: { display_name: 'X', matched_calendar_invitee_email: null }, text: 'patched "quoted" \\ ✓', timestamp: '00:00:01' }] };
    const combos = [
      { transcript: true, summary: true, actionItems: true, highlights: true, crmMatches: true },
      { transcript: true, summary: false, actionItems: false, highlights: true, crmMatches: false },
      { transcript: false, summary: true, actionItems: true, highlights: false, crmMatches: true },
    ];
    expect(sks.some((sk) => sk.segments === 0 && !sk.pending)).toBe(true);
    expect(sks.some((sk) => sk.base.transcript_language === 'unknown')).toBe(true);
    for (const sk of sks) {
      for (const inc of combos) expect(meetingJson(12, sk, inc).toString('utf8')).toBe(JSON.stringify(serializeMeeting(12, sk, inc)));
      expect(recordingTranscriptJson(12, sk).toString('utf8')).toBe(JSON.stringify({ transcript: recordingTranscript(12, sk) }));
    }
  });

  it('honours segmentsPerMeeting and keeps a 10 x 200-segment page fast', async () => {
    const s = await start({ seed: 2, meetingCount: 60, segmentsPerMeeting: 200, pendingFraction: 0 });
    expect(s.meetings().every((m) => m.transcript!.length === 200)).toBe(true);
    await call(s, '/meetings', ALL_INCLUDES); // warm-up
    const t0 = performance.now();
    const { pages } = await allPages(s, ALL_INCLUDES);
    const perPage = (performance.now() - t0) / pages.length;
    expect(pages).toHaveLength(6);
    expect(perPage).toBeLessThan(250); // a few ms in practice; generous for a loaded CI box
  });
});

describe('GET /meetings', () => {
  let s: FakeFathom;
  let truth: FullMeeting[];
  beforeAll(async () => {
    s = await start({ seed: 5, meetingCount: 57, rateLimit: false, pendingFraction: 0 });
    truth = s.meetings();
  });
  afterEach(() => {
    s.clearFaults();
    s.resetStats();
  });

  it('pages cover every meeting exactly once, newest first, in server-sized pages', async () => {
    const { pages, items } = await allPages(s, { ...ALL_INCLUDES, limit: '100' });
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 10, 10, 10, 7]);
    expect(pages.every((p) => p.limit === 10)).toBe(true);
    expect(pages.at(-1).next_cursor).toBeNull();
    expect(pages.slice(0, -1).every((p) => typeof p.next_cursor === 'string')).toBe(true);
    expect(items.map((m) => m.recording_id)).toEqual(truth.map((m) => m.recording_id));
    expect(items).toEqual(truth);
    expect(Object.keys(pages[0])).toEqual(['limit', 'next_cursor', 'items']);
  });

  it('answers JSON with an accurate content-length', async () => {
    const r = await call(s, '/meetings', ALL_INCLUDES);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(r.text));
  });

  it('uses the page size it was given', async () => {
    const small = await start({ seed: 5, meetingCount: 12, pageSize: 5, rateLimit: false });
    const { pages } = await allPages(small);
    expect(pages.map((p) => [p.limit, p.items.length])).toEqual([
      [5, 5],
      [5, 5],
      [5, 2],
    ]);
  });

  it('leaves out what is not included; only the string "true" includes', async () => {
    const none = (await call(s, '/meetings')).json.items[0];
    for (const k of ['transcript', 'default_summary', 'action_items', 'highlights', 'crm_matches']) expect(none[k]).toBeNull();
    expect(none.calendar_invitees.every((i: any) => i.matched_speaker_display_name === null)).toBe(true);
    const odd = (await call(s, '/meetings', { include_transcript: 'True', include_summary: '1', include_highlights: 'yes' })).json.items[0];
    expect([odd.transcript, odd.default_summary, odd.highlights]).toEqual([null, null, null]);
    const some = (await call(s, '/meetings', { include_action_items: 'true', include_crm_matches: 'true' })).json.items[0];
    expect(some.action_items).toEqual(truth[0]!.action_items);
    expect(some.crm_matches).toEqual(truth[0]!.crm_matches);
    expect(some.transcript).toBeNull();
    const withTranscript = (await call(s, '/meetings', { include_transcript: 'true' })).json.items[0];
    expect(withTranscript.transcript).toEqual(truth[0]!.transcript);
    expect(withTranscript.calendar_invitees).toEqual(truth[0]!.calendar_invitees);
  });

  it('created_after / created_before are strict; a bad value is 400', async () => {
    const pivot = truth[20]!.created_at;
    const ms = Date.parse(pivot);
    const after = (await allPages(s, { created_after: pivot })).items;
    expect(after.map((m) => m.recording_id)).toEqual(truth.filter((m) => Date.parse(m.created_at) > ms).map((m) => m.recording_id));
    const before = (await allPages(s, { created_before: pivot })).items;
    expect(before.map((m) => m.recording_id)).toEqual(truth.filter((m) => Date.parse(m.created_at) < ms).map((m) => m.recording_id));
    const lo = truth[40]!.created_at;
    const both = (await allPages(s, { created_after: lo, created_before: pivot })).items;
    expect(both.map((m) => m.recording_id)).toEqual(truth.filter((m) => Date.parse(m.created_at) < ms && Date.parse(m.created_at) > Date.parse(lo)).map((m) => m.recording_id));
    // Other ISO spellings of the same instant.
    const offset = new Date(ms).toISOString().replace('Z', '+00:00');
    expect((await allPages(s, { created_after: offset })).items).toHaveLength(after.length);
    for (const bad of ['yesterday', '2026-02-30T00:00:00Z', '2026-11-20T25:00:00Z', '']) {
      const r = await call(s, '/meetings', { created_after: bad });
      expect(r.status, bad).toBe(400);
      expect(typeof r.json.error).toBe('string');
    }
    expect((await call(s, '/meetings', { created_before: 'soon' })).status).toBe(400);
  });

  it('filters by recorded_by[], teams[], calendar_invitees_domains[], domains type and meeting_type', async () => {
    const ids = (ms: { recording_id: number }[]) => ms.map((m) => m.recording_id);
    const emails = [...new Set(truth.map((m) => m.recorded_by.email))];
    const two = emails.slice(0, 2);
    expect(ids((await allPages(s, { 'recorded_by[]': two })).items)).toEqual(ids(truth.filter((m) => two.includes(m.recorded_by.email))));
    const team = truth.find((m) => m.recorded_by.team)!.recorded_by.team!;
    expect(ids((await allPages(s, { 'teams[]': team })).items)).toEqual(ids(truth.filter((m) => m.recorded_by.team === team)));
    const company = (m: FullMeeting) => m.calendar_invitees.find((i) => i.is_external)?.email_domain ?? null;
    const domain = truth.map(company).find((d) => d)!;
    const byDomain = (await allPages(s, { 'calendar_invitees_domains[]': [domain, 'nobody.example'] })).items;
    expect(byDomain.length).toBeGreaterThan(0);
    expect(ids(byDomain)).toEqual(ids(truth.filter((m) => company(m) === domain)));
    for (const t of ['only_internal', 'one_or_more_external'] as const) {
      const got = (await allPages(s, { calendar_invitees_domains_type: t })).items;
      expect(got.length).toBeGreaterThan(0);
      expect(ids(got)).toEqual(ids(truth.filter((m) => m.calendar_invitees_domains_type === t)));
    }
    expect((await allPages(s, { calendar_invitees_domains_type: 'all' })).items).toHaveLength(57);
    expect((await call(s, '/meetings', { calendar_invitees_domains_type: 'external' })).status).toBe(400);
    const type = truth.find((m) => m.meeting_type)!.meeting_type!;
    expect(ids((await allPages(s, { meeting_type: type })).items)).toEqual(ids(truth.filter((m) => m.meeting_type === type)));
    const unknown = await call(s, '/meetings', { meeting_type: 'No Such Type' });
    expect(unknown.json).toEqual({ limit: 10, next_cursor: null, items: [] });
    // Filters and paging together.
    const combo = (await allPages(s, { 'recorded_by[]': emails[0]!, calendar_invitees_domains_type: 'only_internal' })).items;
    expect(ids(combo)).toEqual(ids(truth.filter((m) => m.recorded_by.email === emails[0] && m.calendar_invitees_domains_type === 'only_internal')));
  });

  it('rejects forged, garbled and foreign cursors with 400', async () => {
    const first = (await call(s, '/meetings')).json;
    const good: string = first.next_cursor;
    expect((await call(s, '/meetings', { cursor: good })).status).toBe(200);
    const bytes = Buffer.from(good, 'base64url');
    bytes[2] ^= 1;
    const other = await start({ seed: 6, meetingCount: 30 });
    const foreign = (await call(other, '/meetings')).json.next_cursor as string;
    const teamsCursor = (await call(await start({ seed: 5, meetingCount: 1, pageSize: 1 }), '/team_members')).json.next_cursor as string;
    const forged = Buffer.from(JSON.stringify({ k: 'meetings', t: 1, id: 1 })).toString('base64url');
    for (const bad of [bytes.toString('base64url'), `${good}x`, good.slice(0, -3), 'not a cursor!', foreign, forged, teamsCursor, 'eyJwYWdlX251bSI6Mn0=']) {
      const r = await call(s, '/meetings', { cursor: bad });
      expect(r.status, bad).toBe(400);
      expect(r.json.error).toMatch(/cursor/i);
    }
  });
});

describe('GET /meetings in another order (order: sources | shuffled)', () => {
  const ids = (ms: { recording_id: number }[]) => ms.map((m) => m.recording_id);
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const created = (m: { created_at: string }) => Date.parse(m.created_at);
  /** Pairs of neighbours out of newest-first created_at order. */
  const outOfOrder = (items: { created_at: string }[]) => items.slice(1).filter((m, i) => created(m) > created(items[i]!)).length;

  it('sources: every meeting exactly once, source after source, each newest recording first, with a cursor like Fathom\'s', async () => {
    const s = await start({ seed: 5, meetingCount: 57, rateLimit: false, order: 'sources' });
    const truth = s.meetings();
    const { items, pages } = await allPages(s);
    expect(sorted(ids(items))).toEqual(sorted(ids(truth)));
    // The same meetings, not in one newest-first order across pages.
    expect(outOfOrder(items)).toBeGreaterThan(0);
    const source = (m: FullMeeting) => (m.recorded_by.team === 'Sales' ? 0 : m.recorded_by.team === null ? 2 : 1);
    const sources = items.map(source);
    expect(sources).toEqual([...sources].sort());
    for (const k of [0, 1, 2]) {
      const starts = items.filter((m) => source(m) === k).map((m) => Date.parse(m.recording_start_time));
      expect(starts).toEqual([...starts].sort((a, b) => b - a));
    }
    // The cursor carries what a real one decodes to: recording start, id, completed sources.
    const decoded = pages.slice(0, -1).map((p) => JSON.parse(Buffer.from(p.next_cursor, 'base64url').subarray(0, -12).toString('utf8')));
    expect(decoded[0]).toEqual({ k: 'meetings', recording_started_at: expect.stringMatching(/Z$/), id: expect.any(Number), completed_sources: [] });
    const done = decoded.map((c) => c.completed_sources.length);
    expect(done).toEqual([...done].sort());
    expect(decoded.at(-1).completed_sources).toEqual(['team_role_calls', 'host_shared_team_role_calls'].slice(0, done.at(-1)));
    expect(done.at(-1)).toBeGreaterThan(0);
  });

  it('shuffled: every meeting exactly once, in a seeded order with no time order across pages', async () => {
    const a = await start({ seed: 5, meetingCount: 57, rateLimit: false, order: 'shuffled' });
    const b = await start({ seed: 5, meetingCount: 57, rateLimit: false, order: 'shuffled' });
    const c = await start({ seed: 5, meetingCount: 57, rateLimit: false, order: 'shuffled', orderSeed: 99 });
    const first = ids((await allPages(a)).items);
    expect(sorted(first)).toEqual(sorted(ids(a.meetings())));
    expect(ids((await allPages(b)).items)).toEqual(first);
    expect(ids((await allPages(c)).items)).not.toEqual(first);
    expect(outOfOrder((await allPages(a)).items)).toBeGreaterThan(10);
  });

  it.each(['sources', 'shuffled'] as const)('%s: created_after / created_before and the other filters select exactly as in the newest-first order', async (order) => {
    const s = await start({ seed: 7, meetingCount: 80, rateLimit: false, order });
    const truth = s.meetings();
    const lo = truth[60]!.created_at;
    const hi = truth[15]!.created_at;
    const inside = truth.filter((m) => created(m) > Date.parse(lo) && created(m) < Date.parse(hi));
    expect(sorted(ids((await allPages(s, { created_after: lo, created_before: hi })).items))).toEqual(sorted(ids(inside)));
    const type = 'only_internal';
    const got = (await allPages(s, { created_after: lo, calendar_invitees_domains_type: type })).items;
    expect(sorted(ids(got))).toEqual(sorted(ids(truth.filter((m) => created(m) > Date.parse(lo) && m.calendar_invitees_domains_type === type))));
  });
});

describe('calls customers recorded and shared (outsiderShare)', () => {
  it('are listed only when recorded_by[] names their recorder, and never with teams[]', async () => {
    const s = await start({ seed: 8, meetingCount: 90, rateLimit: false, outsiderShare: 0.2 });
    const outside = s.outsideRecorders();
    expect(outside.map((o) => o.email)).toEqual(['jane.smith@acme.com', 'k.sato@sakura-tech.jp']);
    expect(outside.every((o) => o.meetings > 0)).toBe(true);
    const listed = (await allPages(s)).items;
    const truth = s.meetings();
    expect(listed.map((m) => m.recording_id)).toEqual(truth.map((m) => m.recording_id));
    expect(listed.some((m) => m.recorded_by.email === 'jane.smith@acme.com')).toBe(false);
    const jane = (await allPages(s, { 'recorded_by[]': 'Jane.Smith@acme.com' })).items;
    expect(jane).toHaveLength(outside[0]!.meetings);
    expect(jane.every((m) => m.recorded_by.email === 'jane.smith@acme.com' && m.recorded_by.team === null && m.calendar_invitees_domains_type === 'one_or_more_external')).toBe(true);
    expect(jane.every((m) => m.calendar_invitees.some((i: any) => i.email === 'jane.smith@acme.com'))).toBe(true);
    expect((await allPages(s, { 'recorded_by[]': 'jane.smith@acme.com', 'teams[]': 'Sales' })).items).toEqual([]);
    // The truth of a sync that also asks for Jane: the org's listing plus her calls, newest first.
    const both = s.meetings({ alsoRecordedBy: ['jane.smith@acme.com'] });
    expect(both).toHaveLength(truth.length + jane.length);
    expect(both.map((m) => Date.parse(m.created_at))).toEqual(both.map((m) => Date.parse(m.created_at)).sort((a, b) => b - a));
    // A share of 0 leaves the data exactly as it always was.
    const plain = await start({ seed: 8, meetingCount: 90, rateLimit: false });
    const same = await start({ seed: 8, meetingCount: 90, rateLimit: false, outsiderShare: 0 });
    expect(same.meetings()).toEqual(plain.meetings());
    expect(s.meetings().filter((m) => plain.meeting(m.recording_id)).every((m) => JSON.stringify(m) === JSON.stringify(plain.meeting(m.recording_id)))).toBe(true);
  });
});

describe('auth', () => {
  let clock = NOW;
  let s: FakeFathom;
  beforeAll(async () => {
    s = await start({ seed: 3, meetingCount: 15, clock: () => clock, rateLimit: false });
  });

  it('401 JSON without a credential or with a wrong one', async () => {
    for (const headers of [{}, { 'x-api-key': 'nope' }, { authorization: 'Bearer never-issued' }, { authorization: 'Basic Zm9vOmJhcg==' }]) {
      const res = await fetch(buildUrl(s, '/meetings'), { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(typeof (await res.json()).error).toBe('string');
    }
    expect(s.requests.at(-1)!.auth).toBe('none');
  });

  it('Bearer tokens work until they expire or are revoked, without summary/transcript includes', async () => {
    s.issueAccessToken('tok-1', NOW + 60_000);
    const bearer = { authorization: 'Bearer tok-1' };
    const ok = await fetch(buildUrl(s, '/meetings', { include_action_items: 'true', include_highlights: 'true', include_crm_matches: 'true' }), { headers: bearer });
    expect(ok.status).toBe(200);
    expect(s.requests.at(-1)!.auth).toBe('bearer');
    for (const flag of ['include_transcript', 'include_summary']) {
      const res = await fetch(buildUrl(s, '/meetings', { [flag]: 'true' }), { headers: bearer });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe(OAUTH_INCLUDE_ERROR);
    }
    const id = s.meetings()[0]!.recording_id;
    expect((await fetch(buildUrl(s, `/recordings/${id}/transcript`), { headers: bearer })).status).toBe(200);
    clock = NOW + 60_000;
    expect((await fetch(buildUrl(s, '/meetings'), { headers: bearer })).status).toBe(401);
    clock = NOW;
    s.revokeAccessToken('tok-1');
    expect((await fetch(buildUrl(s, '/meetings'), { headers: bearer })).status).toBe(401);
  });

  it('GET /users needs an admin key', async () => {
    expect((await call(s, '/users')).status).toBe(403);
    const admin = await start({ seed: 3, meetingCount: 1, adminKeys: ['boss'], pageSize: 50 });
    const r = await call(admin, '/users', {}, { headers: { 'x-api-key': 'boss' } });
    expect(r.status).toBe(200);
    expect(r.json.items.map((u: any) => u.status)).toEqual([...r.json.items.map((u: any) => u.status)].sort());
    expect(r.json.items.find((u: any) => u.status === 'invited').permissions).toBeUndefined();
    expect((await call(admin, '/users', { status: 'invited' }, { headers: { 'x-api-key': 'boss' } })).json.items).toHaveLength(1);
    expect((await call(admin, '/users', { status: 'invited', settings_access: 'none' }, { headers: { 'x-api-key': 'boss' } })).status).toBe(400);
  });
});

describe('rate limits', () => {
  it('sends RateLimit-* for the governing bucket, 429s with Retry-After, and a 429 costs nothing', async () => {
    let clock = NOW;
    const s = await start({
      seed: 4,
      meetingCount: 30,
      clock: () => clock,
      rateLimit: { global: { limit: 4, windowMs: 10_000 }, heavy: { limit: 2, windowMs: 5_000 } },
    });
    const hdr = (r: Got) => [r.headers.get('ratelimit-limit'), r.headers.get('ratelimit-remaining'), r.headers.get('ratelimit-reset')];
    const heavy = { include_summary: 'true' };
    let r = await call(s, '/meetings');
    expect(hdr(r)).toEqual(['4', '3', '10']);
    clock += 2_500;
    r = await call(s, '/meetings', heavy);
    expect(hdr(r)).toEqual(['2', '1', '5']);
    r = await call(s, `/recordings/${s.meetings()[5]!.recording_id}/summary`);
    expect(hdr(r)).toEqual(['2', '0', '5']);
    r = await call(s, '/meetings', { include_transcript: 'true' });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(r.json.error).toBeTypeOf('string');
    r = await call(s, '/teams'); // light still fine; the 429 consumed nothing
    expect(hdr(r)).toEqual(['4', '0', '8']);
    clock += 1_000;
    r = await call(s, '/teams');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(hdr(r)).toEqual(['4', '0', '7']);
    clock = NOW + 10_000;
    r = await call(s, '/teams');
    expect(r.status).toBe(200);
    expect(hdr(r)).toEqual(['4', '3', '10']);
    expect(s.stats()).toMatchObject({ requests: 7, heavy: 3, rateLimited: 2 });
    expect(s.stats().byPath).toMatchObject({ '/meetings': 3, '/teams': 3, '/recordings/{id}/summary': 1 });
    // Per credential.
    const other = await start({ seed: 4, meetingCount: 3, apiKeys: ['a', 'b'], clock: () => clock, rateLimit: { global: { limit: 1, windowMs: 60_000 }, heavy: { limit: 1, windowMs: 60_000 } } });
    expect((await call(other, '/teams', {}, { headers: { 'x-api-key': 'a' } })).status).toBe(200);
    expect((await call(other, '/teams', {}, { headers: { 'x-api-key': 'a' } })).status).toBe(429);
    expect((await call(other, '/teams', {}, { headers: { 'x-api-key': 'b' } })).status).toBe(200);
    other.resetStats();
    expect((await call(other, '/teams', {}, { headers: { 'x-api-key': 'a' } })).status).toBe(200);
  });

  it('can answer Retry-After as an HTTP-date and leave out the RateLimit-* headers', async () => {
    const clock = NOW + 400;
    const s = await start({
      seed: 4,
      meetingCount: 3,
      clock: () => clock,
      retryAfterFormat: 'http-date',
      rateLimitHeaders: false,
      rateLimit: { global: { limit: 1, windowMs: 3_000 }, heavy: { limit: 1, windowMs: 3_000 } },
    });
    expect((await call(s, '/teams')).headers.get('ratelimit-limit')).toBeNull();
    const r = await call(s, '/teams');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe(new Date(NOW + 4_000).toUTCString()); // the window ends at NOW+3.4 s
    expect(r.headers.get('ratelimit-remaining')).toBeNull();
  });

  it('a window resets on its own once it has passed, with no resetStats', async () => {
    let clock = NOW;
    const s = await start({ seed: 4, meetingCount: 3, clock: () => clock, rateLimit: { global: { limit: 1, windowMs: 50 }, heavy: { limit: 1, windowMs: 50 } } });
    expect((await call(s, '/teams')).status).toBe(200);
    expect((await call(s, '/teams')).status).toBe(429);
    clock = NOW + 49;
    expect((await call(s, '/teams')).status).toBe(429);
    clock = NOW + 50;
    expect((await call(s, '/teams')).status).toBe(200);
    expect((await call(s, '/teams')).status).toBe(429);
  });

  it('rateLimit: false sends no RateLimit headers and never 429s', async () => {
    const s = await start({ seed: 4, meetingCount: 3, rateLimit: false });
    for (let i = 0; i < 70; i++) expect((await call(s, '/teams')).status).toBe(200);
    expect((await call(s, '/teams')).headers.get('ratelimit-limit')).toBeNull();
  });
});

describe('faults', () => {
  let s: FakeFathom;
  beforeAll(async () => {
    s = await start({ seed: 8, meetingCount: 25, rateLimit: false });
  });
  afterEach(() => s.clearFaults());

  it("'status' answers that status, with a JSON body, count times, then normal", async () => {
    s.injectFaults({ kind: 'status', status: 503, count: 2, path: '/meetings' }, { kind: 'status' });
    const a = await call(s, '/meetings');
    expect([a.status, typeof a.json.error]).toEqual([503, 'string']);
    expect((await call(s, '/meetings')).status).toBe(503);
    expect((await call(s, '/meetings')).status).toBe(500); // the second fault (any path)
    expect((await call(s, '/meetings')).status).toBe(200);
  });

  it('faults only consume when the path matches', async () => {
    s.injectFaults({ kind: 'status', status: 502, path: '/teams' });
    expect((await call(s, '/meetings')).status).toBe(200);
    expect((await call(s, '/meeting_types')).status).toBe(200);
    expect((await call(s, '/teams')).status).toBe(502);
    expect((await call(s, '/teams')).status).toBe(200);
  });

  it("'after' lets that many matching requests pass first: a fault part way through a run", async () => {
    s.injectFaults({ kind: 'status', status: 503, count: 2, path: '/meetings', after: 2 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(s, i === 1 ? '/teams' : '/meetings')).status);
    expect(statuses).toEqual([200, 200, 200, 503, 503]);
    expect((await call(s, '/meetings')).status).toBe(200);
  });

  it("'reset' drops the connection without an answer", async () => {
    s.injectFaults({ kind: 'reset', path: '/meetings' });
    const r = await raw(buildUrl(s, '/meetings'));
    expect(r.status).toBeUndefined();
    expect(r.error).toBeTruthy();
    await expect(fetch(buildUrl(s, '/meetings'), { headers: KEY })).resolves.toHaveProperty('status', 200);
    expect(s.requests.at(-2)!.status).toBe(0);
  });

  it("'truncate' sends the full content-length but about half the body", async () => {
    s.injectFaults({ kind: 'truncate', path: '/meetings' });
    const r = await raw(buildUrl(s, '/meetings', ALL_INCLUDES));
    expect(r.status).toBe(200);
    expect(r.error).toBeTruthy();
    expect(r.received).toBeGreaterThan(0);
    expect(r.received).toBeLessThan(r.declared!);
    expect(Math.abs(r.received - r.declared! / 2)).toBeLessThanOrEqual(1);
    expect((await call(s, '/meetings')).status).toBe(200);
  });

  it("'invalid-item' corrupts one item of the next /meetings page only", async () => {
    const truth = s.meetings();
    s.injectFaults({ kind: 'invalid-item' }, { kind: 'invalid-item', corrupt: 'created_at' });
    expect((await call(s, '/teams')).status).toBe(200); // not a /meetings page: not consumed
    const page1 = (await call(s, '/meetings', ALL_INCLUDES)).json;
    const bad1 = page1.items.filter((m: any) => typeof m.recording_id !== 'number');
    expect(bad1).toHaveLength(1);
    expect(page1.items.filter((m: any) => typeof m.recording_id === 'number')).toEqual(truth.slice(0, 10).filter((m) => String(m.recording_id) !== bad1[0].recording_id));
    const page2 = (await call(s, '/meetings', { ...ALL_INCLUDES, cursor: page1.next_cursor })).json;
    expect(page2.items.filter((m: any) => !('created_at' in m))).toHaveLength(1);
    expect(page2.items.filter((m: any) => 'created_at' in m)).toHaveLength(9);
    expect(page2.next_cursor).toBeTruthy();
    const page3 = (await call(s, '/meetings', { ...ALL_INCLUDES, cursor: page2.next_cursor })).json;
    expect(page3.items).toEqual(truth.slice(20));
  });

  it("'rate-limit' forces a 429 with the given Retry-After", async () => {
    s.injectFaults({ kind: 'rate-limit', retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' }, { kind: 'rate-limit' });
    const a = await call(s, '/meetings');
    expect([a.status, a.headers.get('retry-after')]).toEqual([429, 'Wed, 21 Oct 2026 07:28:00 GMT']);
    const b = await call(s, '/teams');
    expect([b.status, b.headers.get('retry-after')]).toEqual([429, '1']);
    expect(s.stats().rateLimited).toBeGreaterThanOrEqual(2);
  });

  it("'latency' delays that response", async () => {
    s.injectFaults({ kind: 'latency', ms: 150, path: '/meetings' });
    const t0 = performance.now();
    expect((await call(s, '/meetings')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

describe('content lifecycle', () => {
  let s: FakeFathom;
  beforeAll(async () => {
    s = await start({ seed: 9, meetingCount: 40, pendingFraction: 0.1, rateLimit: false });
  });

  it('the newest meetings are pending: summary and transcript null even when included', async () => {
    const all = s.meetings();
    const pending = all.filter((m) => m.default_summary === null);
    expect(pending.map((m) => m.recording_id)).toEqual(all.slice(0, 4).map((m) => m.recording_id));
    for (const m of pending) expect([m.transcript, m.action_items]).toEqual([null, []]);
    const listed = (await call(s, '/meetings', ALL_INCLUDES)).json.items[0];
    expect([listed.default_summary, listed.transcript]).toEqual([null, null]);
    const id = pending[0]!.recording_id;
    expect((await call(s, `/recordings/${id}/summary`)).json).toEqual({ summary: null });
    expect((await call(s, `/recordings/${id}/transcript`)).json).toEqual({ transcript: null });

    s.completeContent(id);
    const done = s.meeting(id)!;
    expect(done.default_summary!.markdown_formatted).toBeTruthy();
    expect(done.transcript!.length).toBeGreaterThan(0);
    expect((await call(s, `/recordings/${id}/summary`)).json).toEqual({ summary: done.default_summary });
    expect((await call(s, `/recordings/${id}/transcript`)).json).toEqual({ transcript: done.transcript });
    expect((await call(s, '/meetings', ALL_INCLUDES)).json.items[0]).toEqual(done);
    s.setPending(id);
    expect(s.meeting(id)!.default_summary).toBeNull();
  });

  it('addMeetings puts new meetings at the newest end; updateMeeting changes what is served', async () => {
    const before = s.meetings();
    const added = s.addMeetings(3);
    expect(added).toHaveLength(3);
    const after = s.meetings();
    expect(after).toHaveLength(before.length + 3);
    expect(after.slice(0, 3).map((m) => m.recording_id)).toEqual(added.map((m) => m.recording_id).reverse());
    expect(after.slice(3)).toEqual(before);
    for (const m of added) {
      expect(Date.parse(m.created_at)).toBeGreaterThan(Date.parse(before[0]!.created_at));
      expect(Date.parse(m.created_at)).toBeLessThanOrEqual(NOW + 5 * 60_000);
      expect(m.default_summary).not.toBeNull();
      expect(before.some((b) => b.recording_id === m.recording_id)).toBe(false);
    }
    const [p] = s.addMeetings(1, { pending: true });
    expect(p!.default_summary).toBeNull();
    expect((await call(s, '/meetings', ALL_INCLUDES)).json.items[0].recording_id).toBe(p!.recording_id);

    const target = after[10]!;
    const items = target.action_items!.length > 0 ? target.action_items!.map((a, i) => (i === 0 ? { ...a, completed: !a.completed } : a)) : [];
    s.updateMeeting(target.recording_id, { title: 'Renamed ✏️', action_items: items });
    const served = (await allPages(s, { include_action_items: 'true' })).items.find((m) => m.recording_id === target.recording_id);
    expect(served.title).toBe('Renamed ✏️');
    expect(served.action_items).toEqual(items);
    expect(s.meeting(target.recording_id)!.title).toBe('Renamed ✏️');
  });
});

describe('other endpoints', () => {
  let s: FakeFathom;
  beforeAll(async () => {
    s = await start({ seed: 10, meetingCount: 20, pageSize: 4, rateLimit: false, pendingFraction: 0 });
  });

  it('recordings: summary, transcript, destination_url, 404 and 400', async () => {
    const m = s.meetings()[3]!;
    expect((await call(s, `/recordings/${m.recording_id}/summary`)).json).toEqual({ summary: m.default_summary });
    expect((await call(s, `/recordings/${m.recording_id}/transcript`)).json).toEqual({ transcript: m.transcript });
    expect(s.requests.at(-1)!.heavy).toBe(true);
    const cb = await call(s, `/recordings/${m.recording_id}/summary`, { destination_url: 'https://example.com/hook' });
    expect(cb.json).toEqual({ destination_url: 'https://example.com/hook' });
    expect((await call(s, `/recordings/${m.recording_id}/summary`, { destination_url: 'not a url' })).status).toBe(400);
    const missing = await call(s, '/recordings/1/transcript');
    expect([missing.status, typeof missing.json.error]).toEqual([404, 'string']);
    expect((await call(s, '/recordings/abc/summary')).status).toBe(400);
    expect((await call(s, `/recordings/${m.recording_id}/summary`, {}, { method: 'POST' })).status).toBe(405);
  });

  it('downloads: 202 processing, then completed', async () => {
    const id = s.meetings()[0]!.recording_id;
    const created = await call(s, `/recordings/${id}/download`, {}, { method: 'POST' });
    expect(created.status).toBe(202);
    expect(created.json).toMatchObject({ recording_id: id, status: 'processing' });
    expect(created.json.download_id).toMatch(/^dl_/);
    const polled = await call(s, `/recordings/${id}/downloads/${created.json.download_id}`);
    expect(polled.json).toMatchObject({ download_id: created.json.download_id, status: 'completed', video: { content_type: 'video/mp4' } });
    expect(polled.json.video.file_size_bytes).toBeGreaterThan(0);
    expect((await call(s, `/recordings/${id}/downloads/dl_nope`)).status).toBe(404);
    expect((await call(s, '/recordings/1/download', {}, { method: 'POST' })).status).toBe(404);
  });

  it('meeting_types, teams and team_members page like /meetings', async () => {
    const listAll = async (p: string, params: Params = {}) => {
      const out: any[] = [];
      let cursor: string | null = null;
      do {
        const r = await call(s, p, cursor ? { ...params, cursor } : params);
        expect(r.status).toBe(200);
        expect(r.json.limit).toBe(4);
        out.push(...r.json.items);
        cursor = r.json.next_cursor;
      } while (cursor);
      return out;
    };
    const types = await listAll('/meeting_types');
    expect(types.length).toBeGreaterThan(4);
    expect(types.every((t) => ['active', 'inactive'].includes(t.status) && t.name && t.created_at)).toBe(true);
    const used = new Set(s.meetings().map((m) => m.meeting_type).filter(Boolean));
    for (const u of used) expect(types.map((t) => t.name)).toContain(u);
    expect((await listAll('/teams')).map((t) => t.name)).toEqual(['Sales', 'Engineering', 'Customer Success', 'Marketing']);
    const members = await listAll('/team_members');
    expect(members.length).toBeGreaterThan(8);
    const sales = await listAll('/team_members', { team: 'Sales' });
    expect(sales.length).toBeGreaterThan(0);
    expect(sales.length).toBeLessThan(members.length);
    expect((await call(s, '/teams', { cursor: 'garbage' })).status).toBe(400);
  });

  it('webhooks: validation, 201 with a whsec_ secret, signed delivery, delete', async () => {
    const post = (body: unknown) => call(s, '/webhooks', {}, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const ok = { destination_url: 'https://example.com/hook', triggered_for: ['my_recordings'], include_summary: true };
    const cases: [unknown, string][] = [
      ['{not json', WEBHOOK_ERRORS.body],
      [{ ...ok, destination_url: undefined }, WEBHOOK_ERRORS.destinationRequired],
      [{ ...ok, destination_url: 'ftp:/x' }, WEBHOOK_ERRORS.destinationInvalid],
      [{ ...ok, triggered_for: undefined }, WEBHOOK_ERRORS.triggeredFor],
      [{ ...ok, triggered_for: [] }, WEBHOOK_ERRORS.triggeredFor],
      [{ ...ok, triggered_for: ['everything'] }, WEBHOOK_ERRORS.triggeredFor],
      [{ ...ok, include_summary: false }, WEBHOOK_ERRORS.noContent],
      [{ destination_url: ok.destination_url, triggered_for: ok.triggered_for }, WEBHOOK_ERRORS.noContent],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      expect(r.status, message).toBe(400);
      expect(r.json.error).toBe(message);
    }
    expect(WEBHOOK_ERRORS.noContent).toBe('At least one content type must be included');

    // A receiver that checks the Standard Webhooks signature.
    const received: { ok: boolean; meeting: any }[] = [];
    let secret = '';
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = req.headers['webhook-id'];
        const ts = req.headers['webhook-timestamp'];
        const want = crypto.createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.${ts}.${body}`).digest('base64');
        const sigs = String(req.headers['webhook-signature']).split(' ').map((x) => x.replace(/^v1,/, ''));
        received.push({ ok: sigs.includes(want), meeting: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const port = (receiver.address() as { port: number }).port;
      const created = await post({ ...ok, destination_url: `http://127.0.0.1:${port}/hook`, include_transcript: true, triggered_for: ['my_recordings', 'shared_team_recordings'] });
      expect(created.status).toBe(201);
      expect(Object.keys(created.json).sort()).toEqual(
        ['created_at', 'id', 'include_action_items', 'include_crm_matches', 'include_summary', 'include_transcript', 'secret', 'triggered_for', 'url'].sort(),
      );
      expect(created.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
      expect(created.json).toMatchObject({ include_transcript: true, include_summary: true, include_action_items: false, include_crm_matches: false });
      secret = created.json.secret;
      const m = s.meetings()[2]!;
      expect(await s.deliverWebhook(created.json.id, m.recording_id)).toMatchObject({ status: 204 });
      expect(received).toHaveLength(1);
      expect(received[0]!.ok).toBe(true);
      expect(received[0]!.meeting).toMatchObject({ recording_id: m.recording_id, transcript: m.transcript, default_summary: m.default_summary, action_items: null });

      const del = await call(s, `/webhooks/${created.json.id}`, {}, { method: 'DELETE' });
      expect([del.status, del.text]).toEqual([204, '']);
      expect((await call(s, `/webhooks/${created.json.id}`, {}, { method: 'DELETE' })).status).toBe(404);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('unknown paths are 404 JSON; addRoute answers before the built-ins without auth', async () => {
    for (const p of ['/meetings/123', '/v1/calls', '/nope']) {
      const r = await call(s, p);
      expect([r.status, typeof r.json.error]).toEqual([404, 'string']);
    }
    const outside = await fetch(`${s.origin}/somewhere`);
    expect(outside.status).toBe(404);
    s.addRoute('POST', '/external/v1/oauth2/token', (req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ got: body.toString(), type: req.headers['content-type'] }));
    });
    const r = await fetch(`${s.url}/oauth2/token`, { method: 'POST', body: 'grant_type=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(await r.json()).toEqual({ got: 'grant_type=x', type: 'application/x-www-form-urlencoded' });
    expect(s.requests.at(-1)).toMatchObject({ method: 'POST', path: '/oauth2/token', status: 200, auth: 'none' });
  });
});

describe('main.ts', () => {
  it('parses its flags', () => {
    const { options, faults, apiKey } = parseCli([
      '--port', '0', '--meetings', '12', '--seed', '4', '--page-size', '5', '--segments', '3-9', '--latency', '2',
      '--api-key', 'k1', '--rate-window-ms', '1000', '--global-limit', '5', '--heavy-limit', '2', '--pending-fraction', '0.5',
      '--fault', 'status:2:503', '--fault', 'reset', '--fault', 'latency:1:250@/meetings', '--fault', 'rate-limit::3',
    ]);
    expect(options).toMatchObject({ port: 0, meetingCount: 12, seed: 4, pageSize: 5, segmentsPerMeeting: [3, 9], latencyMs: 2, apiKeys: ['k1'], pendingFraction: 0.5 });
    expect(options.rateLimit).toEqual({ global: { limit: 5, windowMs: 1000 }, heavy: { limit: 2, windowMs: 1000 } });
    expect(apiKey).toBe('k1');
    expect(faults).toEqual([
      { kind: 'status', count: 2, status: 503 },
      { kind: 'reset' },
      { kind: 'latency', count: 1, ms: 250, path: '/meetings' },
      { kind: 'rate-limit', retryAfter: '3' },
    ]);
    expect(parseCli(['--no-rate-limit']).options.rateLimit).toBe(false);
    expect(parseCli(['--order', 'shuffled', '--order-seed', '7', '--outsider-share', '0.1']).options).toMatchObject({ order: 'shuffled', orderSeed: 7, outsiderShare: 0.1 });
    expect(parseCli(['--order', 'sources']).options.order).toBe('sources');
    for (const bad of [['--meetings', 'x'], ['--bogus'], ['--fault', 'explode'], ['--segments', '9-3'], ['--pending-fraction', '2'], ['--no-rate-limit', '--global-limit', '3'], ['extra'], ['--order', 'oldest'], ['--outsider-share', '1.5']]) {
      expect(() => parseCli(bad), bad.join(' ')).toThrow();
    }
  });

  const runMain = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'fake-server', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });

  it('prints one JSON line when listening, serves, and exits 0 on SIGTERM', async () => {
    const child = runMain(['--meetings', '7', '--seed', '3', '--api-key', 'cli-key', '--fault', 'status:1:503@/meetings']);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line);
    expect(info).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/external\/v1$/), apiKey: 'cli-key', meetings: 7 });
    const h = { 'x-api-key': 'cli-key' };
    expect((await fetch(`${info.url}/meetings`, { headers: h })).status).toBe(503);
    const body = await (await fetch(`${info.url}/meetings`, { headers: h })).json();
    expect(body.items).toHaveLength(7);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('--oauth serves the authorize and token endpoints and prints the fake app it accepts', async () => {
    const redirect = 'http://127.0.0.1:38999/callback';
    const child = runMain(['--meetings', '3', '--oauth', '--redirect-uri', redirect]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const { url, oauth } = JSON.parse(line);
    expect(oauth).toEqual({ authorizeUrl: expect.stringMatching(/\/oauth2\/authorize$/), tokenUrl: expect.stringMatching(/\/oauth2\/token$/), clientId: 'fake-client-id', clientSecret: 'fake-client-secret' });
    const authorize = new URL(oauth.authorizeUrl);
    Object.entries({ client_id: oauth.clientId, redirect_uri: redirect, response_type: 'code', state: 's1' }).forEach(([k, v]) => authorize.searchParams.set(k, v as string));
    const approved = await fetch(authorize, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const back = new URL(approved.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirect);
    expect(back.searchParams.get('state')).toBe('s1');
    const form = new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: redirect, client_id: oauth.clientId, client_secret: oauth.clientSecret });
    const token = await (await fetch(oauth.tokenUrl, { method: 'POST', body: form })).json();
    expect(token).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), refresh_token: expect.any(String) });
    const meetings = await fetch(`${url}/meetings`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(meetings.status).toBe(200);
    expect((await meetings.json()).items).toHaveLength(3);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('a bad flag: one line on stderr, exit 2', async () => {
    const child = runMain(['--meetings', 'lots']);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/--meetings "lots"/);
  });

  it('--help / -h: the usage, every flag in it, on stdout, exit 0 (and no server)', async () => {
    for (const flag of ['--help', '-h']) {
      const child = runMain(['--meetings', '3', flag]);
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
      expect(code, stderr).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toBe(USAGE);
      expect(stdout).toMatch(/^Usage: /);
      for (const name of Object.keys(OPTIONS)) expect(stdout, name).toContain(`--${name}`);
      expect(stdout).toContain('-h, --help');
      expect(stdout).not.toMatch(/"url"\s*:/); // it did not start a server
    }
  });
});
