import type { Clock } from '../core/clock.js';
import { readConfig, savedApiUrl } from '../core/config.js';
import type { ApiAuth } from './auth.js';
import { FathomClient } from './client.js';
import { HttpClient, type HttpEvent } from './http.js';
import { DOCUMENTED_LIMITS, RateBudget } from './rate-budget.js';

export const DEFAULT_API_URL = 'https://api.fathom.ai/external/v1';

/** Where the API is and how patient to be with it. */
export interface ApiSettings {
  baseUrl: string;
  /** Per-request timeout, ms (FATHOM_SYNC_HTTP_TIMEOUT_MS). */
  timeoutMs?: number;
  /** First retry backoff step, ms (a test seam). */
  retryBaseMs?: number;
}

function envMs(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The settings of this environment: FATHOM_API_URL (else the URL the profile connected with, else
 * Fathom's), FATHOM_SYNC_HTTP_TIMEOUT_MS and the retry seam.
 */
export function apiSettings(ctx: { env: NodeJS.ProcessEnv; seams: { retryBaseMs: number | null }; profile?: string; paths?: { configFile: string } }): ApiSettings {
  const timeoutMs = envMs(ctx.env, 'FATHOM_SYNC_HTTP_TIMEOUT_MS');
  const saved = ctx.profile && ctx.paths ? savedApiUrl(readConfig(ctx.paths.configFile), ctx.profile) : null;
  return {
    baseUrl: ctx.env.FATHOM_API_URL?.trim() || saved || DEFAULT_API_URL,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(ctx.seams.retryBaseMs !== null ? { retryBaseMs: ctx.seams.retryBaseMs } : {}),
  };
}

/**
 * `sync`: patient, as a long sync must be. `probe`: one quick look (doctor) that answers in
 * seconds: a short timeout, one retry, and no long rate-limit waits.
 */
export type ClientPurpose = 'sync' | 'probe';

export function createApiClient(args: {
  settings: ApiSettings;
  auth: ApiAuth;
  clock: Clock;
  purpose?: ClientPurpose;
  onEvent?: (e: HttpEvent) => void;
}): FathomClient {
  const { settings } = args;
  const probe = args.purpose === 'probe';
  const http = new HttpClient({
    baseUrl: settings.baseUrl,
    auth: args.auth,
    clock: args.clock,
    budget: new RateBudget({ ...DOCUMENTED_LIMITS, clock: args.clock }),
    ...(probe
      ? { timeoutMs: Math.min(settings.timeoutMs ?? 8_000, 8_000), maxRetries: 1, backoffBaseMs: settings.retryBaseMs ?? 300, max429s: 1, maxRetryAfterMs: 5_000 }
      : {
          ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
          ...(settings.retryBaseMs !== undefined ? { backoffBaseMs: settings.retryBaseMs } : {}),
        }),
    ...(args.onEvent ? { onEvent: args.onEvent } : {}),
    userAgent: probe ? 'fathom-sync/0.1 (doctor)' : 'fathom-sync/0.1',
  });
  return new FathomClient(http);
}
