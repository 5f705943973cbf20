import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Authenticator, authKindOf, type Authentication } from './auth.js';
import { controlReply } from './control.js';
import { CursorCodec } from './cursor.js';
import { hashInts, Rng } from './data/random.js';
import { serializeMeeting } from './data/serialize.js';
import { MeetingStore } from './data/store.js';
import { ALL_INCLUDES, type ContentKey, type FullMeeting } from './data/types.js';
import { FaultQueue, faultDelayMs, replacementReply, resetConnection, writeTruncated, type FaultSpec } from './faults.js';
import { ListRoutes } from './list-routes.js';
import { applyMeetingPatch } from './meeting-patch.js';
import { MeetingsRoute } from './meetings.js';
import { meetingOrder } from './meeting-order.js';
import { OUTSIDE_RECORDERS } from './data/org.js';
import { DEFAULT_RATE_LIMITS, RateLimiter, isHeavyRequest } from './rate-limit.js';
import { RecordingRoutes } from './recordings.js';
import { errorReply, writeReply, type Reply } from './reply.js';
import { RequestRecorder, type FakeStats, type RequestLog } from './request-log.js';
import { readBody, type ApiRequest } from './request.js';
import { Sleeps } from './sleeps.js';
import type { FakeFathom, FakeFathomOptions, RouteHandler } from './types.js';
import { WebhookRegistry, type Webhook } from './webhooks.js';

export type {
  ActionItem,
  CrmMatches,
  FathomUser,
  FullMeeting,
  Highlight,
  Invitee,
  MeetingSummary,
  TranscriptItem,
} from './data/types.js';
export type { FaultSpec } from './faults.js';
export { OAUTH_INCLUDE_ERROR, parseIsoParam } from './meetings-query.js';
export type { RateLimitConfig } from './rate-limit.js';
export type { FakeStats, RequestLog } from './request-log.js';
export type { FakeFathom, FakeFathomOptions, RouteHandler } from './types.js';
export { TRIGGERED_FOR, WEBHOOK_ERRORS, type Webhook } from './webhooks.js';
export type { ContentKey };

/**
 * A fake Fathom External API on 127.0.0.1 (real HTTP), after ../shared/fathom-api/openapi.assembled.yaml
 * and ../shared/notes/fathom-api.md: API-key and Bearer auth, cursor paging with a server-chosen
 * page size, every /meetings filter and include flag, the OAuth include restriction, per-credential
 * fixed-window rate limits with RateLimit-* headers, webhooks, downloads, and injectable faults.
 *
 * This module wires the pieces: the HTTP server, the request pipeline (faults, auth, rate limits,
 * routing, latency, the request log); each route family lives in its own module.
 */

export const BASE_PATH = '/external/v1';
export const DEFAULT_NOW = Date.parse('2026-11-20T12:00:00Z');

class FakeFathomServer implements FakeFathom {
  readonly requests: RequestLog[];
  url = '';
  origin = '';
  port = 0;

  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #store: MeetingStore;
  readonly #seed: number;
  readonly #latencyMs: number;
  readonly #auth: Authenticator;
  readonly #rateLimiter: RateLimiter;
  readonly #faults = new FaultQueue();
  readonly #recorder = new RequestRecorder();
  readonly #sleeps = new Sleeps();
  readonly #customRoutes = new Map<string, RouteHandler>();
  readonly #meetingsRoute: MeetingsRoute;
  readonly #lists: ListRoutes;
  readonly #recordings: RecordingRoutes;
  readonly #webhooks: WebhookRegistry;
  #closed: Promise<void> | null = null;

  constructor(o: FakeFathomOptions) {
    this.#seed = Math.floor(o.seed ?? 1);
    const seed = this.#seed;
    const store = new MeetingStore({
      seed,
      meetingCount: o.meetingCount ?? 120,
      now: o.now ?? DEFAULT_NOW,
      spacingHours: o.spacingHours ?? 9,
      segmentsPerMeeting: o.segmentsPerMeeting ?? [5, 220],
      pendingFraction: o.pendingFraction ?? 0.03,
      outsiderShare: o.outsiderShare ?? 0,
    });
    this.#store = store;
    const pageSize = Math.max(1, Math.floor(o.pageSize ?? 10));
    const clock = o.clock ?? Date.now;
    this.#latencyMs = Math.max(0, o.latencyMs ?? 0);
    this.#auth = new Authenticator(o.apiKeys ?? ['fake-api-key'], o.adminKeys ?? [], clock);
    this.#rateLimiter = new RateLimiter(o.rateLimit === false ? false : o.rateLimit ?? DEFAULT_RATE_LIMITS, {
      sendHeaders: o.rateLimitHeaders ?? true,
      retryAfterFormat: o.retryAfterFormat ?? 'seconds',
      clock,
    });
    this.requests = this.#recorder.entries;
    const cursors = new CursorCodec(seed);
    const ids = new Rng(hashInts(seed, 0x1d5));
    const order = meetingOrder(o.order ?? 'newest', Math.floor(o.orderSeed ?? seed));
    this.#meetingsRoute = new MeetingsRoute({ seed, store, cursors, pageSize, faults: this.#faults, order });
    this.#lists = new ListRoutes(cursors, pageSize);
    const routeDeps = { seed, store, ids, clock };
    this.#recordings = new RecordingRoutes(routeDeps);
    this.#webhooks = new WebhookRegistry(routeDeps);

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
    // Tracked so close() can end keep-alive connections instead of waiting for them.
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
      this.#sleeps.stopAll();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const s of this.#sockets) s.destroy();
    });
    return this.#closed;
  }

  // ---- ground truth and control --------------------------------------------------------------

  meetings(options: { alsoRecordedBy?: readonly string[] } = {}): FullMeeting[] {
    const named = new Set((options.alsoRecordedBy ?? []).map((e) => e.toLowerCase()));
    return this.#store.sorted
      .filter((sk) => !sk.outsider || named.has(sk.base.recorded_by.email.toLowerCase()))
      .map((sk) => serializeMeeting(this.#seed, sk, ALL_INCLUDES));
  }

  outsideRecorders(): { email: string; meetings: number }[] {
    return OUTSIDE_RECORDERS.map((c) => ({ email: c.email, meetings: this.#store.sorted.filter((sk) => sk.outsider && sk.base.recorded_by.email === c.email).length }));
  }

  meetingCount(): number {
    return this.#store.size;
  }

  meeting(recordingId: number): FullMeeting | undefined {
    const sk = this.#store.get(recordingId);
    return sk ? serializeMeeting(this.#seed, sk, ALL_INCLUDES) : undefined;
  }

  injectFaults(...faults: FaultSpec[]): void {
    this.#faults.inject(...faults);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  stats(): FakeStats {
    return this.#recorder.stats();
  }

  resetStats(): void {
    this.#recorder.reset();
    this.resetRateLimits();
  }

  resetRateLimits(): void {
    this.#rateLimiter.reset();
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
    applyMeetingPatch(this.#store, recordingId, patch);
  }

  issueAccessToken(token: string, expiresAtMs: number): void {
    this.#auth.issueAccessToken(token, expiresAtMs);
  }

  revokeAccessToken(token: string): void {
    this.#auth.revokeAccessToken(token);
  }

  addRoute(method: string, pathname: string, handler: RouteHandler): void {
    this.#customRoutes.set(`${method.toUpperCase()} ${pathname}`, handler);
  }

  webhooks(): Webhook[] {
    return this.#webhooks.list();
  }

  deliverWebhook(webhookId: string, recordingId: number): Promise<{ status: number; body: string }> {
    return this.#webhooks.deliver(webhookId, recordingId);
  }

  // ---- request pipeline ----------------------------------------------------------------------

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    const pathname = url.pathname;
    const underBase = pathname === BASE_PATH || pathname.startsWith(`${BASE_PATH}/`);
    const path = underBase ? pathname.slice(BASE_PATH.length) || '/' : pathname;
    const authKind = authKindOf(req);

    // Routes added by addRoute (the OAuth fake) answer for themselves; they are only logged.
    const custom = this.#customRoutes.get(`${method} ${pathname}`);
    if (custom) {
      res.once('finish', () => this.#recorder.record({ method, path, query: url.searchParams, auth: authKind, status: res.statusCode, heavy: false }));
      await custom(req, res, body);
      return;
    }
    if (pathname.startsWith('/__fake/')) {
      writeReply(res, controlReply(this, method, pathname, body));
      return;
    }

    const ctx: ApiRequest = { method, path, query: url.searchParams, body, auth: authKind, credential: '', heavy: false, fault: null };
    if (!underBase) {
      await this.#respond(res, ctx, errorReply(404, 'Not found'));
      return;
    }
    ctx.heavy = isHeavyRequest(method, path, url.searchParams);

    // Injected faults come first: they stand for the network or the server misbehaving.
    const fault = this.#faults.take(method, path, url.searchParams);
    if (fault) {
      if (fault.spec.kind === 'reset') {
        this.#recorder.record({ method, path, query: ctx.query, auth: authKind, status: 0, heavy: ctx.heavy });
        resetConnection(req.socket);
        return;
      }
      const instead = replacementReply(fault.spec);
      if (instead) {
        await this.#respond(res, ctx, instead);
        return;
      }
      ctx.fault = fault; // latency, truncate, invalid-item act on the normal answer
    }

    const auth = this.#auth.authenticate(req);
    if (!auth.ok) {
      await this.#respond(res, ctx, errorReply(401, auth.message));
      return;
    }
    ctx.credential = auth.credential;

    const admission = this.#rateLimiter.admit(auth.credential, ctx.heavy);
    if (!admission.allowed) {
      await this.#respond(res, ctx, admission.reply);
      return;
    }

    let reply: Reply;
    try {
      reply = this.#route(ctx, auth);
    } catch (err) {
      reply = errorReply(500, `fake server error: ${(err as Error).message}`);
    }
    reply.headers = { ...admission.headers, ...reply.headers };
    await this.#respond(res, ctx, reply);
  }

  async #respond(res: http.ServerResponse, ctx: ApiRequest, reply: Reply): Promise<void> {
    await this.#sleeps.sleep(this.#latencyMs + faultDelayMs(ctx.fault));
    this.#recorder.record({ method: ctx.method, path: ctx.path, query: ctx.query, auth: ctx.auth, status: reply.status, heavy: ctx.heavy });
    if (res.destroyed) return;
    if (ctx.fault?.spec.kind === 'truncate') {
      writeTruncated(res, reply);
      return;
    }
    writeReply(res, reply);
  }

  #route(ctx: ApiRequest, auth: Authentication & { ok: true }): Reply {
    const { method, path, query } = ctx;
    const only = (allowed: string, fn: () => Reply): Reply =>
      method === allowed ? fn() : { status: 405, body: { error: `Method ${method} not allowed` }, headers: { allow: allowed } };
    let m: RegExpExecArray | null;
    if (path === '/meetings') return only('GET', () => this.#meetingsRoute.list(ctx, auth.kind));
    if (path === '/meeting_types') return only('GET', () => this.#lists.meetingTypes(query));
    if (path === '/teams') return only('GET', () => this.#lists.teams(query));
    if (path === '/team_members') return only('GET', () => this.#lists.teamMembers(query));
    if (path === '/users') return only('GET', () => this.#lists.users(query, auth.admin));
    if (path === '/webhooks') return only('POST', () => this.#webhooks.create(ctx.body));
    if ((m = /^\/webhooks\/([^/]+)$/.exec(path))) {
      const rawId = m[1]!;
      // Decoded only for DELETE: another method with a malformed id still gets its 405.
      return only('DELETE', () => this.#webhooks.delete(decodeURIComponent(rawId)));
    }
    if ((m = /^\/recordings\/([^/]+)\/(summary|transcript)$/.exec(path))) {
      const id = m[1]!;
      const which = m[2] as 'summary' | 'transcript';
      return only('GET', () => this.#recordings.content(query, id, which));
    }
    if ((m = /^\/recordings\/([^/]+)\/download$/.exec(path))) {
      const id = m[1]!;
      return only('POST', () => this.#recordings.createDownload(ctx.body, ctx.credential, id));
    }
    if ((m = /^\/recordings\/([^/]+)\/downloads\/([^/]+)$/.exec(path))) {
      const id = m[1]!;
      const dl = decodeURIComponent(m[2]!);
      return only('GET', () => this.#recordings.getDownload(ctx.credential, id, dl));
    }
    return errorReply(404, 'Not found');
  }
}

/** Starts a fake Fathom API on 127.0.0.1 (ephemeral port unless told otherwise). */
export async function startFakeFathom(options: FakeFathomOptions = {}): Promise<FakeFathom> {
  const server = new FakeFathomServer(options);
  await server.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return server;
}
