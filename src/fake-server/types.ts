import type http from 'node:http';
import type { FullMeeting } from './data/types.js';
import type { FaultSpec } from './faults.js';
import type { RateLimitConfig } from './rate-limit.js';
import type { FakeStats, RequestLog } from './request-log.js';
import type { Webhook } from './webhooks.js';

/** The fake server's public surface: the options it starts with and the handle a test drives it by. */

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
  /**
   * The order GET /meetings lists meetings in (meeting-order.ts): `newest` first (default), source
   * by source (`sources`, each newest recording first, a cursor like Fathom's), or `shuffled`.
   */
  order?: 'newest' | 'sources' | 'shuffled';
  /** Seed of the `shuffled` order (default: the data seed). */
  orderSeed?: number;
  /**
   * Share of meetings recorded by customers who shared them with the org (0 to 1, default 0).
   * Fathom lists those only to a query that names their recorder in recorded_by[].
   */
  outsiderShare?: number;
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

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void | Promise<void>;

export interface FakeFathom {
  /** Base URL including '/external/v1'. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
  /**
   * Ground truth: every meeting, newest first (created_at, then recording_id), as /meetings sends it
   * with every include flag: those the org's listing shows, plus those recorded by the customers
   * named in `alsoRecordedBy` (what a sync that also asks recorded_by[] for them should hold).
   */
  meetings(options?: { alsoRecordedBy?: readonly string[] }): FullMeeting[];
  /** The customers whose shared calls are listed only when recorded_by[] names them, with their share of the meetings. */
  outsideRecorders(): { email: string; meetings: number }[];
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
