import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeOAuth } from '../../src/fake-server/oauth.js';
import type { FakeFathom } from '../../src/fake-server/server.js';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';
import { startOAuthFake } from '../helpers/connect.js';
import { connectOAuth } from '../helpers/oauth-session.js';
import { loadSpec, requestIssues, responseShape, specIssues, specShape, toShape, type OpenApiDoc } from '../helpers/openapi.js';
import { startPrism, type PrismServer } from '../helpers/prism.js';
import { startRecordingProxy, type Exchange, type RecordingProxy } from '../helpers/recording-proxy.js';
import { expectDatabaseMatches, query } from '../helpers/truth.js';

// Every test here runs the CLI several times against Prism, whose random data costs CPU: ~10 s
// alone, several times that beside the rest of the suite on two cores. A bound well above that (not
// the suite's 60 s), so a busy machine never cuts runs short and leaves them sending requests into
// the next test's recording.
vi.setConfig({ testTimeout: 300_000 });

/**
 * The project's fake Fathom behind `prism proxy --errors`: Prism checks every request the CLI
 * sends and every answer the fake gives against the spec, and with --errors turns an answer
 * that breaks it into a 500 (so the CLI's run fails too). A recording proxy in front keeps
 * Prism's `sl-violations` header, which also carries warnings (an undeclared status code).
 *
 * Where the fake is right and the spec is wrong or silent, the spec Prism is given has an
 * explicit, narrow exception (EXCEPTIONS below), each with its reason; a test checks that each
 * exception is still needed, so none outlives the difference it was made for.
 */

interface SpecException {
  what: string;
  why: string;
  apply(doc: OpenApiDoc): void;
}

const recordingAnswer = (doc: OpenApiDoc, part: 'summary' | 'transcript') =>
  doc.paths[`/recordings/{recording_id}/${part}`]!.get.responses['200'].content['application/json'].schema.anyOf[0].properties[part];

const EXCEPTIONS: SpecException[] = [
  {
    what: 'Meeting.scheduled_start_time and scheduled_end_time may be null',
    why:
      'A meeting without a calendar event (an impromptu Zoom, a Slack huddle) has no scheduled times, and the fake sends null ' +
      'for them, as notes/fathom-api.md §6 tells clients to expect. The spec itself says meeting_url is "null when there is no ' +
      'associated calendar meeting" but marks these two non-null: the spec is wrong here, the fake right.',
    apply: (doc) => {
      for (const f of ['scheduled_start_time', 'scheduled_end_time']) doc.components.schemas.Meeting.properties[f].nullable = true;
    },
  },
  {
    what: '/recordings/{id}/summary and /transcript answer {"summary": null} / {"transcript": null} while the content is pending',
    why:
      'The spec is silent about a recording whose summary or transcript Fathom has not produced yet. The fake answers null, ' +
      'as /meetings shows null for it (which the spec allows there); the client treats both as "not yet". Unverified against ' +
      'the real service, which might answer 404 or an empty object instead: the client copes with those too.',
    apply: (doc) => {
      recordingAnswer(doc, 'summary').nullable = true;
      recordingAnswer(doc, 'transcript').nullable = true;
    },
  },
];

let fake: FakeFathom;
let oauth: FakeOAuth;
let prism: PrismServer;
let recorder: RecordingProxy;
let specDir: string;

beforeAll(async () => {
  ({ fake, oauth } = await startOAuthFake({ fake: { seed: 11, meetingCount: 45, pendingFraction: 0.15, segmentsPerMeeting: [0, 30], rateLimit: false } }));
  const doc = structuredClone(loadSpec());
  for (const e of EXCEPTIONS) e.apply(doc);
  specDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fathom-sync-spec-'));
  const specFile = path.join(specDir, 'openapi.with-exceptions.json');
  fs.writeFileSync(specFile, JSON.stringify(doc));
  prism = await startPrism(['proxy', '--errors', specFile, fake.url]);
  recorder = await startRecordingProxy(prism.url);
});
afterAll(async () => {
  await recorder?.close();
  await prism?.stop();
  await fake?.close();
  if (specDir) fs.rmSync(specDir, { recursive: true, force: true });
});

/** Everything Prism said about the traffic since `mark` (sl-violations headers, its log), and our own request check. */
function violations(exchanges: Exchange[], mark: number): string[] {
  return [
    ...exchanges.flatMap((e) => requestIssues(e.method, e.path, e.query).map((i) => `${e.method} ${e.path}: ${i}`)),
    ...exchanges.flatMap((e) => (e.responseHeaders['sl-violations'] ? [`${e.method} ${e.path}: ${e.responseHeaders['sl-violations']}`] : [])),
    ...exchanges.filter((e) => e.status >= 500).map((e) => `${e.method} ${e.path} answered ${e.status}: ${prismProblem(e)}`),
    ...prism.violations(mark).map((v) => `Prism log: ${v.location} ${v.message}`),
  ];
}

/** The violations in Prism's --errors answer, one line. */
function prismProblem(e: Exchange): string {
  const validation = (e.json as { validation?: { location: string[]; message: string }[] } | undefined)?.validation;
  return validation ? validation.map((v) => `${v.location.join('.')}: ${v.message}`).join('; ') : e.body.slice(0, 600);
}

async function run(args: string[], env: NodeJS.ProcessEnv) {
  recorder.exchanges.length = 0;
  const mark = prism.mark();
  const r = await runCli(['run', ...args, '--json'], env);
  return { r, exchanges: [...recorder.exchanges], violations: violations(recorder.exchanges, mark) };
}

describe('the fake behind prism proxy --errors', () => {
  it('a full API-key sync (run --all, every include flag): no request or answer breaks the spec, and the database matches the fake', async () => {
    const home = tempHome('fathom-sync-contract-');
    try {
      const env = { ...home.baseEnv, FATHOM_API_URL: recorder.url, FATHOM_API_KEY: 'fake-api-key' };
      const { r, exchanges, violations: found } = await run(['--all'], env);
      expect(found).toEqual([]);
      expect(r.code, r.stderr).toBe(0);
      const pages = exchanges.filter((e) => e.path === '/meetings');
      // 45 meetings fill 5 pages; time slices add their last pages and the empty ones back to the beginning.
      expect(pages.length).toBeGreaterThanOrEqual(5);
      expect(pages.length).toBeLessThanOrEqual(9);
      expect(JSON.parse(r.stdout)).toMatchObject({ pages: pages.length, requests: pages.length });
      for (const inc of ['action_items', 'crm_matches', 'highlights', 'summary', 'transcript']) expect(pages[0]!.query.get(`include_${inc}`)).toBe('true');
      // Pending meetings, meetings without a calendar event: the traffic had what the exceptions are for.
      const items = pages.flatMap((p) => (p.json as { items: Record<string, unknown>[] }).items);
      expect(items.some((m) => m.scheduled_start_time === null)).toBe(true);
      expect(items.some((m) => m.default_summary === null)).toBe(true);
      expectDatabaseMatches(dbPath(env), fake.meetings());
    } finally {
      home.cleanup();
    }
  });

  it('filtered, windowed and --last runs send only requests the spec accepts (array [] syntax, dates, enums)', async () => {
    const home = tempHome('fathom-sync-contract-');
    try {
      const env = { ...home.baseEnv, FATHOM_API_URL: recorder.url, FATHOM_API_KEY: 'fake-api-key' };
      const filters = ['--recorded-by', 'zoe.lindqvist@lumenfield.io', '--recorded-by', 'dev@lumenfield.io', '--team', 'Sales', '--team', 'Customer Success', '--domain', 'acme.com', '--domain', 'mueller-gmbh.de'];
      for (const args of [
        ['--since', '2026-09-01', '--until', '2026-11-15T12:00:00Z', ...filters, '--external-only'],
        ['--last', '3', '--internal-only', '--meeting-type', 'Sprint Planning'],
        ['--since', '2026-10-01T00:00:00+02:00', '--meeting-type', 'Démo produit'],
      ]) {
        const { r, exchanges, violations: found } = await run(args, env);
        expect(found, args.join(' ')).toEqual([]);
        expect(r.code, r.stderr).toBe(0);
        expect(exchanges.length).toBeGreaterThan(0);
      }
    } finally {
      home.cleanup();
    }
  });

  it('under OAuth: /meetings without content, then /recordings/{id}/summary and /transcript per meeting, break nothing', async () => {
    const home = tempHome('fathom-sync-contract-oauth-');
    const newest = fake.meetings().slice(0, 12);
    // Two of them pending for certain, so {"summary": null} goes through Prism.
    const pending = [newest[1]!.recording_id, newest[4]!.recording_id].filter((id) => fake.meeting(id)!.default_summary !== null);
    try {
      for (const id of pending) fake.setPending(id);
      const env = await connectOAuth(fake, oauth, recorder.url, home.baseEnv);
      const { r, exchanges, violations: found } = await run(['--last', '12'], env);
      expect(found).toEqual([]);
      expect(r.code, r.stderr).toBe(0);
      const asked = (part: string) => exchanges.filter((e) => e.path.endsWith(`/${part}`)).map((e) => Number(e.path.split('/')[2]));
      const ids = newest.map((m) => m.recording_id);
      expect(asked('summary')).toEqual(ids);
      expect(asked('transcript')).toEqual(ids);
      expect(exchanges.some((e) => e.path.endsWith('/summary') && (e.json as { summary: unknown }).summary === null)).toBe(true);
      const rows = query<{ recording_id: number; summary_markdown: string | null; content_complete: number }>(
        dbPath(env),
        'SELECT recording_id, summary_markdown, content_complete FROM meetings ORDER BY created_at DESC, recording_id DESC',
      );
      const truth = fake.meetings().slice(0, 12);
      expect(rows).toEqual(truth.map((m) => ({ recording_id: m.recording_id, summary_markdown: m.default_summary?.markdown_formatted ?? null, content_complete: m.default_summary && m.transcript ? 1 : 0 })));
    } finally {
      for (const id of pending) fake.completeContent(id);
      home.cleanup();
    }
  });

  it("the fake's 404 for an unknown recording (zero, negative, past 2^53: all well-formed per the spec) is the one answer outside the spec: a warning", async () => {
    // The spec is silent: it lists no 404 for /summary and /transcript (it does for /download).
    // A 404 for a recording that does not exist is what any server answers; the client treats
    // it as this recording's problem (skipped, retried later). Kept visible, not excepted.
    for (const id of ['0', '-5', '99999999999999999999']) {
      recorder.exchanges.length = 0;
      const res = await fetch(`${recorder.url}/recordings/${id}/transcript`, { headers: { 'x-api-key': 'fake-api-key' } });
      expect(res.status, id).toBe(404);
      expect(JSON.parse(recorder.exchanges[0]!.responseHeaders['sl-violations'] ?? '[]'), id).toEqual([
        expect.objectContaining({ severity: 'Warning', message: expect.stringContaining('Unable to match the returned status code') }),
      ]);
    }
  });

  it('each exception is still needed: the unpatched spec refuses what the fake sends there', () => {
    const meeting = fake.meetings().find((m) => m.scheduled_start_time === null)!;
    expect(specIssues(specShape('Meeting'), meeting, 'Meeting')).toEqual([
      'Meeting.scheduled_start_time: null where the spec has string',
      'Meeting.scheduled_end_time: null where the spec has string',
    ]);
    const patched = structuredClone(loadSpec());
    for (const e of EXCEPTIONS) e.apply(patched);
    expect(specIssues(toShape({ $ref: '#/components/schemas/Meeting' }, 'openapi', patched), meeting, 'Meeting')).toEqual([]);
    const strict = (part: string) => responseShape(`/recordings/{recording_id}/${part}`).variants![0]!;
    expect(specIssues(strict('summary'), { summary: null }, 'answer')).toEqual(['answer.summary: null where the spec has object']);
    expect(specIssues(strict('transcript'), { transcript: null }, 'answer')).toEqual(['answer.transcript: null where the spec has array']);
  });
});
