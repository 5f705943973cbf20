import fs from 'node:fs';
import { readConfig, type AppConfig } from '../core/config.js';
import { ApiError, AuthRequiredError, TemporaryError, errorMessage } from '../core/errors.js';
import { systemLockSystem } from '../core/lock.js';
import { systemClock } from '../core/clock.js';
import { resolvePaths } from '../core/paths.js';
import type { ApiAuth } from '../auth/credentials.js';
import { DEFAULT_API_URL } from '../api/factory.js';
import { systemScheduleContext } from '../schedule/context.js';
import { credentialBackend, schedulerFor } from '../schedule/service.js';
import type { ApiProbeOutcome, CredentialFacts, DoctorContext, ScheduleFacts } from './types.js';

/** doctor waits this long for Fathom; a sync would wait and retry far longer. */
const API_TIMEOUT_MS = 8_000;

function memo<T>(compute: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => (cached ??= compute());
}

/** Expiry details of credentials that have them (OAuth tokens). */
function expiryOf(auth: ApiAuth): Pick<CredentialFacts, 'expiresAt' | 'refreshable'> {
  return { expiresAt: auth.expiresAt ?? null, ...(auth.renewable === undefined ? {} : { refreshable: auth.renewable }) };
}

function retryBaseMs(env: NodeJS.ProcessEnv): number | undefined {
  const value = Number(env.FATHOM_SYNC_RETRY_BASE_MS);
  return env.FATHOM_SYNC_RETRY_BASE_MS && Number.isFinite(value) && value >= 0 ? value : undefined;
}

async function probeApi(env: NodeJS.ProcessEnv, auth: ApiAuth, baseUrl: string): Promise<ApiProbeOutcome> {
  const { HttpClient } = await import('../api/http.js');
  const { RateBudget, DOCUMENTED_LIMITS } = await import('../api/rate-budget.js');
  const { FathomClient } = await import('../api/client.js');
  const http = new HttpClient({
    baseUrl,
    auth,
    clock: systemClock,
    budget: new RateBudget({ ...DOCUMENTED_LIMITS, clock: systemClock }),
    timeoutMs: API_TIMEOUT_MS,
    // One retry: enough to ride out a blip, short enough to keep doctor quick.
    maxRetries: 1,
    backoffBaseMs: retryBaseMs(env) ?? 300,
    max429s: 1,
    maxRetryAfterMs: 5_000,
    userAgent: 'fathom-sync/0.1 (doctor)',
  });
  try {
    await new FathomClient(http).verifyCredential();
    return { outcome: 'accepted' };
  } catch (err) {
    if (err instanceof AuthRequiredError) return { outcome: 'rejected', message: err.message };
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return { outcome: 'rejected', message: err.message };
    if (err instanceof TemporaryError) return { outcome: 'unreachable', message: err.message.replace(/^giving up after \d+ retries: /, '') };
    return { outcome: 'error', message: errorMessage(err) };
  }
}

export function systemDoctorContext(env: NodeJS.ProcessEnv, options: { dbOverride?: string } = {}): DoctorContext {
  const schedule = systemScheduleContext(env);
  const paths = options.dbOverride ? resolvePaths({ dbOverride: options.dbOverride }, { env, platform: process.platform, homedir: schedule.user.home }) : schedule.paths;
  let config: AppConfig = {};
  let configError: string | undefined;
  try {
    config = readConfig(paths.configFile);
  } catch (err) {
    configError = errorMessage(err);
  }
  const apiUrl = env.FATHOM_API_URL?.trim() || DEFAULT_API_URL;
  const resolveAuth = memo(async (): Promise<{ auth: ApiAuth | null; problem?: string }> => {
    const { defaultCredentialProvider } = await import('../auth/provider.js');
    try {
      return { auth: await defaultCredentialProvider(paths, env).resolve() };
    } catch (err) {
      return { auth: null, problem: errorMessage(err) };
    }
  });
  return {
    paths,
    env,
    platform: process.platform,
    nodeVersion: process.version,
    nodePath: process.execPath,
    now: () => Date.now(),
    runner: schedule.runner,
    lockSystem: systemLockSystem,
    schedule: { ...schedule, paths },
    config,
    ...(configError ? { configError } : {}),
    apiUrl,
    credential: memo(async () => {
      const { auth, problem } = await resolveAuth();
      const backend = credentialBackend(config);
      if (!auth) return { found: false, ...(backend ? { backend } : {}), ...(problem ? { problem } : {}) };
      return { found: true, kind: auth.kind, source: auth.source, ...(backend ? { backend } : {}), ...expiryOf(auth) };
    }),
    probeApi: async () => {
      const { auth } = await resolveAuth();
      if (!auth) return { outcome: 'error', message: 'no credential' };
      return probeApi(env, auth, apiUrl);
    },
    installedJob: memo(async (): Promise<ScheduleFacts> => {
      try {
        return { job: await schedulerFor(schedule, config.schedule).inspect() };
      } catch (err) {
        return { error: errorMessage(err) };
      }
    }),
    fileExists: (file) => fs.existsSync(file),
    isExecutable: (file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
  };
}
