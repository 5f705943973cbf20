import type { ApiAuth } from '../auth/credentials.js';
import type { Clock } from '../core/clock.js';
import { FathomClient } from './client.js';
import { HttpClient, type HttpEvent } from './http.js';
import { DOCUMENTED_LIMITS, RateBudget } from './rate-budget.js';

export const DEFAULT_API_URL = 'https://api.fathom.ai/external/v1';

function envMs(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Builds the API client from the environment (FATHOM_API_URL and the tuning knobs). */
export async function createApiClient(args: {
  env: NodeJS.ProcessEnv;
  auth: ApiAuth;
  clock: Clock;
  onEvent?: (e: HttpEvent) => void;
}): Promise<FathomClient> {
  const { env } = args;
  const budget = new RateBudget({ ...DOCUMENTED_LIMITS, clock: args.clock });
  const timeoutMs = envMs(env, 'FATHOM_SYNC_HTTP_TIMEOUT_MS');
  const backoffBaseMs = envMs(env, 'FATHOM_SYNC_RETRY_BASE_MS');
  const http = new HttpClient({
    baseUrl: env.FATHOM_API_URL?.trim() || DEFAULT_API_URL,
    auth: args.auth,
    clock: args.clock,
    budget,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(backoffBaseMs !== undefined ? { backoffBaseMs } : {}),
    ...(args.onEvent ? { onEvent: args.onEvent } : {}),
    userAgent: 'fathom-sync/0.1',
  });
  return new FathomClient(http);
}
