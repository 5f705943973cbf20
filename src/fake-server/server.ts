import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  ALL_INCLUDES,
  CONTENT_KEYS,
  MEETING_TYPES,
  MeetingStore,
  ORG_MEMBERS,
  TEAMS,
  companyDomain,
  hashInts,
  isoSeconds,
  Rng,
  meetingJson,
  recordingSummary,
  recordingTranscriptJson,
  serializeMeeting,
  type ContentKey,
  type FullMeeting,
  type IncludeFlags,
  type Skeleton,
} from './data.js';

export type {
  ActionItem,
  CrmMatches,
  FathomUser,
  FullMeeting,
  Highlight,
  Invitee,
  MeetingSummary,
  TranscriptItem,
} from './data.js';

/**
 * A fake Fathom External API on 127.0.0.1 (real HTTP), after ../shared/fathom-api/openapi.assembled.yaml
 * and ../shared/notes/fathom-api.md: API-key and Bearer auth, cursor paging with a server-chosen
 * page size, every /meetings filter and include flag, the OAuth include restriction, per-credential
 * fixed-window rate limits with RateLimit-* headers, webhooks, downloads, and injectable faults.
 */

export const BASE_PATH = '/external/v1';
export const DEFAULT_NOW = Date.parse('2026-11-20T12:00:00Z');
export const OAUTH_INCLUDE_ERROR =
  'OAuth users are not allowed to include summary or transcript in this request. Please use /recordings endpoint instead.';
export const WEBHOOK_ERRORS = {
  body: 'Request body must be a JSON object',
  destinationRequired: 'destination_url is required',
  destinationInvalid: 'destination_url must be a valid URL',
  triggeredFor:
    'triggered_for must include at least one of: my_recordings, shared_external_recordings, my_shared_with_team_recordings, shared_team_recordings',
  noContent: 'At least one content type must be included',
} as const;
export const TRIGGERED_FOR = ['my_recordings', 'shared_external_recordings', 'my_shared_with_team_recordings', 'shared_team_recordings'] as const;

export interface RateLimitConfig {
  limit: number;
  windowMs: number;
}

export interface FakeFathomOptions {
  /** Default 1; same seed => byte-identical data. */
  seed?: number;
  /** Default 120. */
  meetingCount?: number;
  /** ms epoch anchor: the newest meeting is created shortly (3-40 min) before this. */
  now?: number;
  /** Average gap between meetings' created_at, hours (default 9, jittered). */
  spacingHours?: number;
  /** Server-chosen page size, default 10 (the API has no limit param). */
  pageSize?: number;
  /** Transcript length, fixed or [min, max]; default [5, 220]. */
  segmentsPerMeeting?: number | [number, number];
  /** Share of the NEWEST meetings whose summary + transcript are not ready yet (default 0.03). */
  pendingFraction?: number;
  /** Accepted X-Api-Key values; default ['fake-api-key']. */
  apiKeys?: string[];
  /** Keys for which GET /users answers 200 (others 403). */
  adminKeys?: string[];
  /** Default 60/60000 global and 30/60000 heavy; false = unlimited (and no RateLimit-* headers). */
  rateLimit?: { global: RateLimitConfig; heavy: RateLimitConfig } | false;
  /** Send RateLimit-Limit/-Remaining/-Reset (default true). */
  rateLimitHeaders?: boolean;
  /** Retry-After on 429: delay-seconds (default) or an HTTP-date. */
  retryAfterFormat?: 'seconds' | 'http-date';
  /** Added to every API response. */
  latencyMs?: number;
  host?: string;
  port?: number;
  /** Time source for rate windows, token expiry and download/webhook timestamps (default Date.now). */
  clock?: () => number;
}

export interface FaultSpec {
  kind: 'status' | 'reset' | 'truncate' | 'invalid-item' | 'rate-limit' | 'latency';
  /** How many matching requests it affects (default 1). */
  count?: number;
  /** Only requests whose pathname (after /external/v1) starts with this, e.g. '/meetings'. */
  path?: string;
  /** For 'status' (default 500). */
  status?: number;
  /** For 'rate-limit': the raw Retry-After header value (default '1'). */
  retryAfter?: string;
  /** For 'latency'. */
  ms?: number;
  /** For 'invalid-item': how to break the item (default: alternates, recording_id first). */
  corrupt?: 'recording_id' | 'created_at';
}

export interface RequestLog {
  method: string;
  path: string;
  query: URLSearchParams;
  auth: 'api_key' | 'bearer' | 'none';
  status: number;
  heavy: boolean;
}

export interface FakeStats {
  requests: number;
  heavy: number;
  rateLimited: number;
  byPath: Record<string, number>;
}

export interface Webhook {
  id: string;
  url: string;
  secret: string;
  created_at: string;
  include_transcript: boolean;
  include_crm_matches: boolean;
  include_summary: boolean;
  include_action_items: boolean;
  triggered_for: string[];
}

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void | Promise<void>;

export interface FakeFathom {
  /** Base URL including '/external/v1'. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
  /** Ground truth: every meeting, newest first, as /meetings sends it with every include flag. */
  meetings(): FullMeeting[];
  /** One meeting's ground truth, or undefined. */
  meeting(recordingId: number): FullMeeting | undefined;
  /** How many meetings the server has (cheap; meetings().length without building them). */
  meetingCount(): number;
  injectFaults(...faults: FaultSpec[]): void;
  clearFaults(): void;
  readonly requests: RequestLog[];
  stats(): FakeStats;
  /** Clears the request log and counters, and restarts every rate-limit window (a fresh start for a test). */
  resetStats(): void;
  /** Restarts every rate-limit window only. */
  resetRateLimits(): void;
  addMeetings(count: number, opts?: { pending?: boolean }): FullMeeting[];
  completeContent(recordingId: number): void;
  setPending(recordingId: number): void;
  updateMeeting(recordingId: number, patch: Partial<FullMeeting>): void;
  issueAccessToken(token: string, expiresAtMs: number): void;
  revokeAccessToken(token: string): void;
  addRoute(method: string, pathname: string, handler: RouteHandler): void;
  /** Webhooks created through POST /webhooks and not deleted. */
  webhooks(): Webhook[];
  /**
   * POSTs a meeting to a webhook's destination_url, signed like Fathom (Standard Webhooks:
   * webhook-id, webhook-timestamp, webhook-signature `v1,<base64 HMAC-SHA256 of id.ts.body>`).
   */
  deliverWebhook(webhookId: string, recordingId: number): Promise<{ status: number; body: string }>;
}

// ---------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  body?: unknown;
  /** The body already serialised (UTF-8 JSON); wins over `body`. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
  auth: 'api_key' | 'bearer' | 'none';
  credential: string;
  heavy: boolean;
  fault: QueuedFault | null;
}

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

class FixedWindow {
  start = -Infinity;
  count = 0;
  constructor(readonly cfg: RateLimitConfig) {}
  roll(now: number): void {
    if (now >= this.start + this.cfg.windowMs) {
      this.start = now;
      this.count = 0;
    }
  }
  get remaining(): number {
    return Math.max(0, this.cfg.limit - this.count);
  }
  resetSeconds(now: number): number {
    return Math.max(1, Math.ceil((this.start + this.cfg.windowMs - now) / 1000));
  }
}

const ISO_PARAM = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** An ISO-8601 date or date-time query value to ms; null when it is not one. No zone = UTC. */
export function parseIsoParam(raw: string): number | null {
  // A '+' that was not percent-encoded arrives as a space.
  const v = raw.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  const m = ISO_PARAM.exec(v);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  let zone = m[7] ?? 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const day = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const frac = /\.(\d{1,9})/.exec(v)?.[1];
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? `.${frac.slice(0, 3).padEnd(3, '0')}` : ''}${zone.toUpperCase()}`);
  return Number.isNaN(t) ? null : t;
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 4 * 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

const EMPTY = Buffer.alloc(0);
const COMMA = Buffer.from(',');
const PAGE_END = Buffer.from(']}');

function bodyBytes(reply: Reply): Buffer {
  if (reply.raw) return reply.raw;
  return reply.body === undefined ? EMPTY : Buffer.from(JSON.stringify(reply.body));
}
const CURSOR_SIG_BYTES = 12;

class FakeFathomServer implements FakeFathom {
  readonly requests: RequestLog[] = [];
  url = '';
  origin = '';
  port = 0;

  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #store: MeetingStore;
  readonly #seed: number;
  readonly #pageSize: number;
  readonly #apiKeys: Set<string>;
  readonly #adminKeys: Set<string>;
  readonly #rate: { global: RateLimitConfig; heavy: RateLimitConfig } | false;
  readonly #rateHeaders: boolean;
  readonly #retryAfterFormat: 'seconds' | 'http-date';
  readonly #latencyMs: number;
  readonly #clock: () => number;
  readonly #cursorKey: Buffer;
  readonly #idRng: Rng;
  readonly #tokens = new Map<string, number>();
  readonly #buckets = new Map<string, { global: FixedWindow; heavy: FixedWindow }>();
  readonly #routes = new Map<string, RouteHandler>();
  readonly #webhooks = new Map<string, Webhook>();
  readonly #downloads = new Map<string, { recordingId: number; credential: string; polls: number; createdAt: number }>();
  #faults: QueuedFault[] = [];
  #corruptToggle = 0;
  #stats: FakeStats = { requests: 0, heavy: 0, rateLimited: 0, byPath: {} };
  readonly #sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  #closed: Promise<void> | null = null;

  constructor(o: FakeFathomOptions) {
    this.#seed = Math.floor(o.seed ?? 1);
    this.#store = new MeetingStore({
      seed: this.#seed,
      meetingCount: o.meetingCount ?? 120,
      now: o.now ?? DEFAULT_NOW,
      spacingHours: o.spacingHours ?? 9,
      segmentsPerMeeting: o.segmentsPerMeeting ?? [5, 220],
      pendingFraction: o.pendingFraction ?? 0.03,
    });
    this.#pageSize = Math.max(1, Math.floor(o.pageSize ?? 10));
    this.#apiKeys = new Set(o.apiKeys ?? ['fake-api-key']);
    this.#adminKeys = new Set(o.adminKeys ?? []);
    this.#rate =
      o.rateLimit === false
        ? false
        : (o.rateLimit ?? { global: { limit: 60, windowMs: 60_000 }, heavy: { limit: 30, windowMs: 60_000 } });
    this.#rateHeaders = o.rateLimitHeaders ?? true;
    this.#retryAfterFormat = o.retryAfterFormat ?? 'seconds';
    this.#latencyMs = Math.max(0, o.latencyMs ?? 0);
    this.#clock = o.clock ?? Date.now;
    this.#cursorKey = crypto.createHash('sha256').update(`fake-fathom-cursor:${this.#seed}`).digest();
    this.#idRng = new Rng(hashInts(this.#seed, 0x1d5));
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          const buf = Buffer.from(JSON.stringify({ error: `fake server error: ${(err as Error)?.message ?? String(err)}` }));
          res.writeHead(500, { 'content-type': 'application/json', 'content-length': buf.length });
          res.end(buf);
        } else {
          res.destroy();
        }
      });
    });
    this.#server.keepAliveTimeout = 5_000;
    this.#server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const addr = this.#server.address() as AddressInfo;
    this.port = addr.port;
    const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.origin = `http://${h}:${addr.port}`;
    this.url = `${this.origin}${BASE_PATH}`;
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      for (const s of this.#sleeps) {
        clearTimeout(s.timer);
        s.resolve();
      }
      this.#sleeps.clear();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const s of this.#sockets) s.destroy();
    });
    return this.#closed;
  }

  // ---- ground truth and control --------------------------------------------------------------

  meetings(): FullMeeting[] {
    return this.#store.sorted.map((sk) => serializeMeeting(this.#seed, sk, ALL_INCLUDES));
  }

  meetingCount(): number {
    return this.#store.size;
  }

  meeting(recordingId: number): FullMeeting | undefined {
    const sk = this.#store.get(recordingId);
    return sk ? serializeMeeting(this.#seed, sk, ALL_INCLUDES) : undefined;
  }

  injectFaults(...faults: FaultSpec[]): void {
    for (const f of faults) {
      const count = Math.floor(f.count ?? 1);
      if (count > 0) this.#faults.push({ spec: { ...f }, remaining: count });
    }
  }

  clearFaults(): void {
    this.#faults = [];
  }

  stats(): FakeStats {
    return { ...this.#stats, byPath: { ...this.#stats.byPath } };
  }

  resetStats(): void {
    this.requests.length = 0;
    this.#stats = { requests: 0, heavy: 0, rateLimited: 0, byPath: {} };
    this.resetRateLimits();
  }

  resetRateLimits(): void {
    this.#buckets.clear();
  }

  addMeetings(count: number, opts: { pending?: boolean } = {}): FullMeeting[] {
    return this.#store.add(count, opts.pending ?? false).map((sk) => serializeMeeting(this.#seed, sk, ALL_INCLUDES));
  }

  completeContent(recordingId: number): void {
    this.#store.require(recordingId).pending = false;
  }

  setPending(recordingId: number): void {
    this.#store.require(recordingId).pending = true;
  }

  updateMeeting(recordingId: number, patch: Partial<FullMeeting>): void {
    const sk = this.#store.require(recordingId);
    const base = sk.base as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (key === 'recording_id') {
        if (value !== recordingId) throw new Error('fake-server: recording_id cannot be changed');
        continue;
      }
      if ((CONTENT_KEYS as readonly string[]).includes(key)) {
        sk.overrides ??= {};
        (sk.overrides as Record<string, unknown>)[key] = structuredClone(value);
      } else {
        base[key] = structuredClone(value);
      }
    }
    if (patch.calendar_invitees && !patch.calendar_invitees_domains_type) {
      sk.base.calendar_invitees_domains_type = sk.base.calendar_invitees.some((i) => i.is_external) ? 'one_or_more_external' : 'only_internal';
    }
    if (patch.created_at !== undefined) {
      const ms = Date.parse(patch.created_at);
      if (Number.isNaN(ms)) throw new Error(`fake-server: created_at "${patch.created_at}" is not a date-time`);
      sk.createdSec = Math.floor(ms / 1000);
      this.#store.touch();
    }
  }

  issueAccessToken(token: string, expiresAtMs: number): void {
    this.#tokens.set(token, expiresAtMs);
  }

  revokeAccessToken(token: string): void {
    this.#tokens.delete(token);
  }

  addRoute(method: string, pathname: string, handler: RouteHandler): void {
    this.#routes.set(`${method.toUpperCase()} ${pathname}`, handler);
  }

  webhooks(): Webhook[] {
    return [...this.#webhooks.values()].map((w) => structuredClone(w));
  }

  async deliverWebhook(webhookId: string, recordingId: number): Promise<{ status: number; body: string }> {
    const hook = this.#webhooks.get(webhookId);
    if (!hook) throw new Error(`fake-server: no webhook ${webhookId}`);
    const sk = this.#store.require(recordingId);
    const meeting = serializeMeeting(this.#seed, sk, {
      transcript: hook.include_transcript,
      summary: hook.include_summary,
      actionItems: hook.include_action_items,
      highlights: false,
      crmMatches: hook.include_crm_matches,
    });
    const body = JSON.stringify(meeting);
    const id = `msg_${this.#idRng.token(24)}`;
    const ts = Math.floor(this.#clock() / 1000);
    const key = Buffer.from(hook.secret.slice('whsec_'.length), 'base64');
    const sig = crypto.createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Webhook-Id': id, 'Webhook-Timestamp': String(ts), 'Webhook-Signature': `v1,${sig}` },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  // ---- request pipeline ----------------------------------------------------------------------

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    const pathname = url.pathname;
    const underBase = pathname === BASE_PATH || pathname.startsWith(`${BASE_PATH}/`);
    const path = underBase ? pathname.slice(BASE_PATH.length) || '/' : pathname;
    const authKind = this.#authKind(req);

    const custom = this.#routes.get(`${method} ${pathname}`);
    if (custom) {
      res.once('finish', () => this.#log({ method, path, query: url.searchParams, auth: authKind, status: res.statusCode, heavy: false }));
      await custom(req, res, body);
      return;
    }
    if (pathname.startsWith('/__fake/')) {
      this.#write(res, this.#control(method, pathname, body));
      return;
    }

    const ctx: Ctx = { method, path, query: url.searchParams, body, auth: authKind, credential: '', heavy: false, fault: null };
    if (!underBase) {
      await this.#respond(res, ctx, { status: 404, body: { error: 'Not found' } });
      return;
    }
    ctx.heavy = this.#isHeavy(method, path, url.searchParams);

    // Injected faults come first: they stand for the network or the server misbehaving.
    const fault = this.#takeFault(method, path);
    if (fault) {
      const spec = fault.spec;
      if (spec.kind === 'reset') {
        this.#log({ method, path, query: ctx.query, auth: authKind, status: 0, heavy: ctx.heavy });
        const socket = req.socket as Socket & { resetAndDestroy?: () => void };
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      if (spec.kind === 'status') {
        const status = spec.status ?? 500;
        await this.#respond(res, ctx, { status, body: { error: `${http.STATUS_CODES[status] ?? 'Error'} (injected fault)` } });
        return;
      }
      if (spec.kind === 'rate-limit') {
        await this.#respond(res, ctx, { status: 429, body: { error: 'Rate limit exceeded' }, headers: { 'retry-after': spec.retryAfter ?? '1' } });
        return;
      }
      ctx.fault = fault; // latency, truncate, invalid-item act on the normal answer
    }

    // Authentication.
    const auth = this.#authenticate(req);
    if (!auth.ok) {
      await this.#respond(res, ctx, { status: 401, body: { error: auth.message } });
      return;
    }
    ctx.credential = auth.credential;

    // Rate limits.
    const rateHeaders: Record<string, string> = {};
    if (this.#rate) {
      const now = this.#clock();
      let b = this.#buckets.get(auth.credential);
      if (!b) {
        b = { global: new FixedWindow(this.#rate.global), heavy: new FixedWindow(this.#rate.heavy) };
        this.#buckets.set(auth.credential, b);
      }
      // A window starts with the first request it counts: the heavy one only rolls for heavy requests.
      b.global.roll(now);
      if (ctx.heavy) b.heavy.roll(now);
      const exceeded = b.global.count >= b.global.cfg.limit ? b.global : ctx.heavy && b.heavy.count >= b.heavy.cfg.limit ? b.heavy : null;
      if (!exceeded) {
        b.global.count += 1;
        if (ctx.heavy) b.heavy.count += 1;
      }
      const governing = ctx.heavy ? b.heavy : b.global;
      if (this.#rateHeaders) {
        rateHeaders['ratelimit-limit'] = String(governing.cfg.limit);
        rateHeaders['ratelimit-remaining'] = String(governing.remaining);
        rateHeaders['ratelimit-reset'] = String(governing.resetSeconds(now));
      }
      if (exceeded) {
        const waitS = exceeded.resetSeconds(now);
        rateHeaders['retry-after'] =
          this.#retryAfterFormat === 'http-date'
            ? new Date(Math.ceil((exceeded.start + exceeded.cfg.windowMs) / 1000) * 1000).toUTCString()
            : String(waitS);
        await this.#respond(res, ctx, { status: 429, body: { error: 'Rate limit exceeded' }, headers: rateHeaders });
        return;
      }
    }

    let reply: Reply;
    try {
      reply = this.#route(ctx, auth);
    } catch (err) {
      reply = { status: 500, body: { error: `fake server error: ${(err as Error).message}` } };
    }
    reply.headers = { ...rateHeaders, ...reply.headers };
    await this.#respond(res, ctx, reply);
  }

  #authKind(req: http.IncomingMessage): RequestLog['auth'] {
    if (req.headers['x-api-key'] !== undefined) return 'api_key';
    if (/^bearer\s/i.test(req.headers.authorization ?? '')) return 'bearer';
    return 'none';
  }

  #authenticate(req: http.IncomingMessage): { ok: true; credential: string; kind: 'api_key' | 'bearer'; admin: boolean } | { ok: false; message: string } {
    const key = req.headers['x-api-key'];
    if (key !== undefined) {
      const k = Array.isArray(key) ? key[0] ?? '' : key;
      if (this.#apiKeys.has(k) || this.#adminKeys.has(k)) return { ok: true, credential: `key:${k}`, kind: 'api_key', admin: this.#adminKeys.has(k) };
      return { ok: false, message: 'Invalid API key' };
    }
    const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (m) {
      const exp = this.#tokens.get(m[1]!);
      if (exp !== undefined && this.#clock() < exp) return { ok: true, credential: `bearer:${m[1]}`, kind: 'bearer', admin: false };
      return { ok: false, message: 'Invalid or expired access token' };
    }
    return { ok: false, message: 'Missing X-Api-Key header or Authorization bearer token' };
  }

  #isHeavy(method: string, path: string, q: URLSearchParams): boolean {
    if (method === 'GET' && /^\/recordings\/[^/]+\/(summary|transcript)$/.test(path)) return true;
    if (method === 'GET' && path === '/meetings') return q.get('include_summary') === 'true' || q.get('include_transcript') === 'true';
    return false;
  }

  #takeFault(method: string, path: string): QueuedFault | null {
    for (let i = 0; i < this.#faults.length; i++) {
      const f = this.#faults[i]!;
      const prefix = f.spec.path ?? (f.spec.kind === 'invalid-item' ? '/meetings' : '');
      if (!path.startsWith(prefix)) continue;
      if (f.spec.kind === 'invalid-item') {
        // Consumed only when it actually corrupts a page (see #listMeetings).
        if (method === 'GET' && path === '/meetings') return f;
        continue;
      }
      this.#consume(f);
      return f;
    }
    return null;
  }

  #consume(f: QueuedFault): void {
    f.remaining -= 1;
    if (f.remaining <= 0) this.#faults = this.#faults.filter((x) => x !== f);
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.#sleeps.add(entry);
    });
  }

  async #respond(res: http.ServerResponse, ctx: Ctx, reply: Reply): Promise<void> {
    const spec = ctx.fault?.spec;
    await this.#sleep(this.#latencyMs + (spec?.kind === 'latency' ? spec.ms ?? 0 : 0));
    this.#log({ method: ctx.method, path: ctx.path, query: ctx.query, auth: ctx.auth, status: reply.status, heavy: ctx.heavy });
    if (res.destroyed) return;
    if (spec?.kind === 'truncate') {
      const buf = bodyBytes(reply);
      res.writeHead(reply.status, { ...reply.headers, 'content-type': 'application/json', 'content-length': buf.length });
      const half = buf.subarray(0, Math.floor(buf.length / 2));
      res.write(half, () => res.socket?.destroy());
      return;
    }
    this.#write(res, reply);
  }

  #write(res: http.ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const buf = bodyBytes(reply);
    const headers: Record<string, string | number> = { ...reply.headers, 'content-length': buf.length };
    if (reply.body !== undefined || reply.raw !== undefined) headers['content-type'] = 'application/json';
    res.writeHead(reply.status, headers);
    res.end(buf);
  }

  #log(entry: RequestLog): void {
    this.requests.push(entry);
    const s = this.#stats;
    s.requests += 1;
    if (entry.heavy) s.heavy += 1;
    if (entry.status === 429) s.rateLimited += 1;
    const key = entry.path.replace(/^\/recordings\/[^/]+/, '/recordings/{id}').replace(/\/downloads\/[^/]+$/, '/downloads/{download_id}').replace(/^\/webhooks\/[^/]+$/, '/webhooks/{id}');
    s.byPath[key] = (s.byPath[key] ?? 0) + 1;
  }

  // ---- routes --------------------------------------------------------------------------------

  #route(ctx: Ctx, auth: { kind: 'api_key' | 'bearer'; admin: boolean; credential: string }): Reply {
    const { method, path } = ctx;
    const only = (allowed: string, fn: () => Reply): Reply =>
      method === allowed ? fn() : { status: 405, body: { error: `Method ${method} not allowed` }, headers: { allow: allowed } };
    let m: RegExpExecArray | null;
    if (path === '/meetings') return only('GET', () => this.#listMeetings(ctx, auth.kind));
    if (path === '/meeting_types') return only('GET', () => this.#paginate(ctx, 'meeting_types', MEETING_TYPES.map((t) => ({ ...t }))));
    if (path === '/teams') return only('GET', () => this.#paginate(ctx, 'teams', TEAMS.map((t) => ({ ...t }))));
    if (path === '/team_members') return only('GET', () => this.#teamMembers(ctx));
    if (path === '/users') return only('GET', () => this.#users(ctx, auth.admin));
    if (path === '/webhooks') return only('POST', () => this.#createWebhook(ctx));
    if ((m = /^\/webhooks\/([^/]+)$/.exec(path))) return only('DELETE', () => this.#deleteWebhook(decodeURIComponent(m![1]!)));
    if ((m = /^\/recordings\/([^/]+)\/(summary|transcript)$/.exec(path))) {
      const id = m[1]!;
      const which = m[2] as 'summary' | 'transcript';
      return only('GET', () => this.#recordingContent(ctx, id, which));
    }
    if ((m = /^\/recordings\/([^/]+)\/download$/.exec(path))) {
      const id = m[1]!;
      return only('POST', () => this.#createDownload(ctx, id));
    }
    if ((m = /^\/recordings\/([^/]+)\/downloads\/([^/]+)$/.exec(path))) {
      const id = m[1]!;
      const dl = decodeURIComponent(m[2]!);
      return only('GET', () => this.#getDownload(ctx, id, dl));
    }
    return { status: 404, body: { error: 'Not found' } };
  }

  #bad(message: string): Reply {
    return { status: 400, body: { error: message } };
  }

  #encodeCursor(payload: object): string {
    const data = Buffer.from(JSON.stringify(payload));
    const sig = crypto.createHmac('sha256', this.#cursorKey).update(data).digest().subarray(0, CURSOR_SIG_BYTES);
    return Buffer.concat([data, sig]).toString('base64url');
  }

  #decodeCursor(raw: string): Record<string, unknown> | null {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(raw)) return null;
    const buf = Buffer.from(raw, 'base64url');
    // Only the canonical spelling: Node's decoder silently drops stray trailing characters.
    if (buf.length <= CURSOR_SIG_BYTES || buf.toString('base64url') !== raw.replace(/=+$/, '')) return null;
    const data = buf.subarray(0, buf.length - CURSOR_SIG_BYTES);
    const sig = buf.subarray(buf.length - CURSOR_SIG_BYTES);
    const want = crypto.createHmac('sha256', this.#cursorKey).update(data).digest().subarray(0, CURSOR_SIG_BYTES);
    if (!crypto.timingSafeEqual(sig, want)) return null;
    try {
      const v = JSON.parse(data.toString('utf8')) as unknown;
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  #listMeetings(ctx: Ctx, authKind: 'api_key' | 'bearer'): Reply {
    const q = ctx.query;
    const flag = (name: string) => q.get(name) === 'true';
    const inc: IncludeFlags = {
      transcript: flag('include_transcript'),
      summary: flag('include_summary'),
      actionItems: flag('include_action_items'),
      highlights: flag('include_highlights'),
      crmMatches: flag('include_crm_matches'),
    };
    if (authKind === 'bearer' && (inc.transcript || inc.summary)) return this.#bad(OAUTH_INCLUDE_ERROR);

    let after: number | null = null;
    let before: number | null = null;
    const rawAfter = q.get('created_after');
    const rawBefore = q.get('created_before');
    if (rawAfter !== null) {
      after = parseIsoParam(rawAfter);
      if (after === null) return this.#bad(`created_after: "${rawAfter}" is not a valid ISO 8601 timestamp`);
    }
    if (rawBefore !== null) {
      before = parseIsoParam(rawBefore);
      if (before === null) return this.#bad(`created_before: "${rawBefore}" is not a valid ISO 8601 timestamp`);
    }
    const domainsType = q.get('calendar_invitees_domains_type') ?? 'all';
    if (!['all', 'only_internal', 'one_or_more_external'].includes(domainsType)) {
      return this.#bad('calendar_invitees_domains_type must be one of: all, only_internal, one_or_more_external');
    }
    let key: { t: number; id: number } | null = null;
    const rawCursor = q.get('cursor');
    if (rawCursor !== null && rawCursor !== '') {
      const c = this.#decodeCursor(rawCursor);
      if (!c || c.k !== 'meetings' || typeof c.t !== 'number' || typeof c.id !== 'number') return this.#bad('Invalid cursor');
      key = { t: c.t, id: c.id };
    }
    const recordedBy = new Set(q.getAll('recorded_by[]').map((e) => e.toLowerCase()));
    const teams = new Set(q.getAll('teams[]'));
    const domains = new Set(q.getAll('calendar_invitees_domains[]'));
    const meetingType = q.get('meeting_type');

    const matches = (sk: Skeleton): boolean => {
      const b = sk.base;
      if (recordedBy.size > 0 && !recordedBy.has(b.recorded_by.email.toLowerCase())) return false;
      if (teams.size > 0 && (b.recorded_by.team === null || !teams.has(b.recorded_by.team))) return false;
      if (domainsType !== 'all' && b.calendar_invitees_domains_type !== domainsType) return false;
      if (meetingType !== null && b.meeting_type !== meetingType) return false;
      if (domains.size > 0) {
        const d = companyDomain(b);
        if (d === null || !domains.has(d)) return false;
      }
      return true;
    };

    const sorted = this.#store.sorted;
    let start = 0;
    if (key) {
      const k = key;
      start = lowerBound(sorted, (sk) => sk.createdSec < k.t || (sk.createdSec === k.t && sk.recordingId < k.id));
    }
    if (before !== null) {
      const bs = before;
      start = Math.max(start, lowerBound(sorted, (sk) => sk.createdSec * 1000 < bs));
    }
    const page: Skeleton[] = [];
    let more = false;
    for (let i = start; i < sorted.length; i++) {
      const sk = sorted[i]!;
      if (after !== null && sk.createdSec * 1000 <= after) break;
      if (!matches(sk)) continue;
      if (page.length === this.#pageSize) {
        more = true;
        break;
      }
      page.push(sk);
    }
    const last = page[page.length - 1];
    const next = more && last ? this.#encodeCursor({ k: 'meetings', t: last.createdSec, id: last.recordingId }) : null;

    const fault = ctx.fault;
    if (fault?.spec.kind !== 'invalid-item' || page.length === 0) {
      // The usual case, written straight to UTF-8 (see meetingJson); same bytes as JSON.stringify.
      const parts: Buffer[] = [Buffer.from(`{"limit":${this.#pageSize},"next_cursor":${JSON.stringify(next)},"items":[`)];
      page.forEach((sk, i) => {
        if (i > 0) parts.push(COMMA);
        parts.push(meetingJson(this.#seed, sk, inc));
      });
      parts.push(PAGE_END);
      return { status: 200, raw: Buffer.concat(parts) };
    }
    // 'invalid-item': one item of this page is broken, the rest intact.
    const items: unknown[] = page.map((sk) => serializeMeeting(this.#seed, sk, inc));
    this.#consume(fault);
    const item = items[Math.floor(items.length / 2)] as Record<string, unknown>;
    const how = fault.spec.corrupt ?? (this.#corruptToggle++ % 2 === 0 ? 'recording_id' : 'created_at');
    if (how === 'recording_id') item.recording_id = String(item.recording_id);
    else delete item.created_at;
    return { status: 200, body: { limit: this.#pageSize, next_cursor: next, items } };
  }

  #paginate(ctx: Ctx, kind: string, all: unknown[]): Reply {
    let offset = 0;
    const rawCursor = ctx.query.get('cursor');
    if (rawCursor !== null && rawCursor !== '') {
      const c = this.#decodeCursor(rawCursor);
      if (!c || c.k !== kind || typeof c.o !== 'number' || c.o < 0) return this.#bad('Invalid cursor');
      offset = c.o;
    }
    const items = all.slice(offset, offset + this.#pageSize);
    const end = offset + items.length;
    const next = end < all.length ? this.#encodeCursor({ k: kind, o: end }) : null;
    return { status: 200, body: { limit: this.#pageSize, next_cursor: next, items } };
  }

  #teamMembers(ctx: Ctx): Reply {
    const team = ctx.query.get('team');
    const members = ORG_MEMBERS.filter((m) => m.status === 'active' && (team === null || m.team === team)).map((m) => ({
      name: m.name ?? m.email.slice(0, m.email.indexOf('@')),
      email: m.email,
      created_at: m.created_at,
    }));
    return this.#paginate(ctx, `team_members:${team ?? ''}`, members);
  }

  #users(ctx: Ctx, admin: boolean): Reply {
    if (!admin) return { status: 403, body: { error: 'Forbidden: only account admins can list users' } };
    const q = ctx.query;
    const status = q.get('status');
    const settings = q.get('settings_access');
    const team = q.get('team');
    if (status !== null && !['active', 'deactivated', 'invited'].includes(status)) return this.#bad('status must be one of: active, deactivated, invited');
    if (settings !== null && !['none', 'team_admin', 'account_admin'].includes(settings)) {
      return this.#bad('settings_access must be one of: none, team_admin, account_admin');
    }
    if (status === 'invited' && settings !== null) return this.#bad('status=invited cannot be combined with settings_access');
    const order = { active: 0, deactivated: 1, invited: 2 } as const;
    const allTeams = TEAMS.map((t) => t.name);
    const users = [...ORG_MEMBERS]
      .sort((a, b) => order[a.status] - order[b.status])
      .filter((m) => (status === null || m.status === status) && (settings === null || (m.status !== 'invited' && m.settings === settings)) && (team === null || m.team === team))
      .map((m) => {
        const u: Record<string, unknown> = { name: m.name, email: m.email, created_at: m.created_at, status: m.status };
        if (m.status !== 'invited') {
          u.permissions = {
            settings_access: { level: m.settings, teams: m.settings === 'account_admin' ? allTeams : m.settings === 'team_admin' && m.team ? [m.team] : [] },
            view_access: m.settings === 'account_admin' ? { level: 'all_teams', teams: allTeams } : m.team ? { level: 'team', teams: [m.team] } : { level: 'own_meetings', teams: [] },
          };
        }
        return u;
      });
    return this.#paginate(ctx, `users:${status ?? ''}:${settings ?? ''}:${team ?? ''}`, users);
  }

  #findRecording(raw: string): Skeleton | Reply {
    if (!/^\d{1,15}$/.test(raw)) return this.#bad('recording_id must be an integer');
    const sk = this.#store.get(Number(raw));
    return sk ?? { status: 404, body: { error: 'Recording not found' } };
  }

  /**
   * A pending meeting (content not processed yet) answers 200 with `{"summary": null}` /
   * `{"transcript": null}`: the recording exists, its content does not yet. That matches what
   * /meetings shows for it, and a client must treat it as "try again later", not as an error.
   */
  #recordingContent(ctx: Ctx, rawId: string, which: 'summary' | 'transcript'): Reply {
    const found = this.#findRecording(rawId);
    if (!('base' in found)) return found;
    const dest = ctx.query.get('destination_url');
    if (dest !== null) {
      if (!isHttpUrl(dest)) return this.#bad('destination_url must be a valid URL');
      // Async mode: Fathom would POST the content there later; the fake only acknowledges.
      return { status: 200, body: { destination_url: dest } };
    }
    if (which === 'summary') return { status: 200, body: { summary: recordingSummary(this.#seed, found) } };
    return { status: 200, raw: recordingTranscriptJson(this.#seed, found) };
  }

  #createDownload(ctx: Ctx, rawId: string): Reply {
    const found = this.#findRecording(rawId);
    if (!('base' in found)) return found;
    if (ctx.body.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(ctx.body.toString('utf8'));
      } catch {
        return this.#bad(WEBHOOK_ERRORS.body);
      }
      const dest = (parsed as { destination_url?: unknown } | null)?.destination_url;
      if (dest !== undefined && !isHttpUrl(dest)) return this.#bad('destination_url must be a valid URL');
    }
    const id = `dl_${this.#idRng.token(30)}`;
    this.#downloads.set(id, { recordingId: found.base.recording_id, credential: ctx.credential, polls: 0, createdAt: this.#clock() });
    return { status: 202, body: { download_id: id, recording_id: found.base.recording_id, status: 'processing' } };
  }

  #getDownload(ctx: Ctx, rawId: string, downloadId: string): Reply {
    const found = this.#findRecording(rawId);
    if (!('base' in found)) return found;
    const dl = this.#downloads.get(downloadId);
    // Downloads are private to the API client that created them.
    if (!dl || dl.recordingId !== found.base.recording_id || dl.credential !== ctx.credential) return { status: 404, body: { error: 'Download not found' } };
    dl.polls += 1;
    const durationS = Date.parse(found.base.recording_end_time) / 1000 - Date.parse(found.base.recording_start_time) / 1000;
    return {
      status: 200,
      body: {
        download_id: downloadId,
        recording_id: dl.recordingId,
        status: 'completed',
        video: {
          url: `https://media.fathom.ai/downloads/${downloadId}.mp4?X-Amz-Expires=86400&X-Amz-Signature=${crypto.createHash('sha256').update(downloadId).digest('hex').slice(0, 32)}`,
          content_type: 'video/mp4',
          file_size_bytes: Math.round(durationS * 180_000),
          expires_at: isoSeconds(Math.floor(dl.createdAt / 1000) + 86_400),
        },
      },
    };
  }

  #createWebhook(ctx: Ctx): Reply {
    let parsed: unknown;
    try {
      parsed = JSON.parse(ctx.body.toString('utf8') || 'null');
    } catch {
      return this.#bad(WEBHOOK_ERRORS.body);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return this.#bad(WEBHOOK_ERRORS.body);
    const b = parsed as Record<string, unknown>;
    const allowed = ['destination_url', 'triggered_for', 'include_transcript', 'include_summary', 'include_action_items', 'include_crm_matches'];
    const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) return this.#bad(`Unknown parameter: ${unknown[0]}`);
    if (b.destination_url === undefined || b.destination_url === null || b.destination_url === '') return this.#bad(WEBHOOK_ERRORS.destinationRequired);
    if (!isHttpUrl(b.destination_url)) return this.#bad(WEBHOOK_ERRORS.destinationInvalid);
    const tf = b.triggered_for;
    if (!Array.isArray(tf) || tf.length === 0 || !tf.every((v) => typeof v === 'string' && (TRIGGERED_FOR as readonly string[]).includes(v))) {
      return this.#bad(WEBHOOK_ERRORS.triggeredFor);
    }
    const includes = ['include_transcript', 'include_crm_matches', 'include_summary', 'include_action_items'] as const;
    for (const k of includes) {
      if (b[k] !== undefined && typeof b[k] !== 'boolean') return this.#bad(`${k} must be a boolean`);
    }
    if (!includes.some((k) => b[k] === true)) return this.#bad(WEBHOOK_ERRORS.noContent);
    const hook: Webhook = {
      id: this.#idRng.token(16),
      url: b.destination_url,
      secret: `whsec_${Buffer.from(Array.from({ length: 24 }, () => this.#idRng.int(0, 255))).toString('base64')}`,
      created_at: isoSeconds(Math.floor(this.#clock() / 1000)),
      include_transcript: b.include_transcript === true,
      include_crm_matches: b.include_crm_matches === true,
      include_summary: b.include_summary === true,
      include_action_items: b.include_action_items === true,
      triggered_for: [...new Set(tf as string[])],
    };
    this.#webhooks.set(hook.id, hook);
    return { status: 201, body: hook };
  }

  #deleteWebhook(id: string): Reply {
    if (!this.#webhooks.delete(id)) return { status: 404, body: { error: 'Webhook not found' } };
    return { status: 204 };
  }

  // ---- /__fake/* control routes (no auth; for a server running in another process) -----------

  #control(method: string, pathname: string, body: Buffer): Reply {
    const json = (): unknown => {
      const text = body.toString('utf8');
      return text ? JSON.parse(text) : {};
    };
    try {
      if (method === 'GET' && pathname === '/__fake/stats') return { status: 200, body: this.stats() };
      if (method === 'POST' && pathname === '/__fake/reset-stats') {
        this.resetStats();
        return { status: 204 };
      }
      if (method === 'POST' && pathname === '/__fake/faults') {
        const v = json();
        this.injectFaults(...((Array.isArray(v) ? v : [v]) as FaultSpec[]));
        return { status: 204 };
      }
      if (method === 'DELETE' && pathname === '/__fake/faults') {
        this.clearFaults();
        return { status: 204 };
      }
      if (method === 'POST' && pathname === '/__fake/meetings') {
        const v = json() as { count?: number; pending?: boolean };
        const added = this.addMeetings(v.count ?? 1, { pending: v.pending ?? false });
        return { status: 201, body: { recording_ids: added.map((m) => m.recording_id) } };
      }
      const m = /^\/__fake\/meetings\/(\d+)\/complete$/.exec(pathname);
      if (method === 'POST' && m) {
        this.completeContent(Number(m[1]));
        return { status: 204 };
      }
    } catch (err) {
      return { status: 400, body: { error: (err as Error).message } };
    }
    return { status: 404, body: { error: 'Not found' } };
  }
}

/** First index whose item satisfies `pred` (which is false...false,true...true along the array). */
function lowerBound<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Starts a fake Fathom API on 127.0.0.1 (ephemeral port unless told otherwise). */
export async function startFakeFathom(options: FakeFathomOptions = {}): Promise<FakeFathom> {
  const server = new FakeFathomServer(options);
  await server.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return server;
}

export type { ContentKey };
