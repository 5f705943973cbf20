import fs from 'node:fs';
import { readConfig, type AppConfig } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import { systemLockSystem } from '../core/lock-file.js';
import type { AppContext } from '../core/context.js';
import type { ApiAuth } from '../api/auth.js';
import { apiSettings, createApiClient } from '../api/factory.js';
import { checkCredential, classifyCheckFailure } from '../api/credential-check.js';
import { scheduleContextFor } from '../schedule/context.js';
import { credentialBackend, schedulerFor } from '../schedule/service.js';
import type { ApiProbeOutcome, CredentialFacts, DoctorContext, ScheduleFacts } from './types.js';

function memo<T>(compute: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => (cached ??= compute());
}

/** Expiry details of credentials that have them (OAuth tokens). */
function expiryOf(auth: ApiAuth): Pick<CredentialFacts, 'expiresAt' | 'refreshable'> {
  return { expiresAt: auth.expiresAt ?? null, ...(auth.renewable === undefined ? {} : { refreshable: auth.renewable }) };
}

/** The application context as doctor sees it: facts are looked up once, when a check first asks. */
export function doctorContextFor(app: AppContext): DoctorContext {
  const schedule = scheduleContextFor(app);
  const { paths, env } = app;
  let config: AppConfig = {};
  let configError: string | undefined;
  try {
    config = readConfig(paths.configFile);
  } catch (err) {
    configError = errorMessage(err);
  }
  const settings = apiSettings(app);
  const resolveAuth = memo(async (): Promise<{ auth: ApiAuth | null; problem?: string }> => {
    const { credentialProviderFor } = await import('../auth/provider.js');
    try {
      return { auth: await credentialProviderFor(app).resolve() };
    } catch (err) {
      return { auth: null, problem: errorMessage(err) };
    }
  });
  return {
    paths,
    env,
    profile: app.profile,
    platform: app.platform,
    nodeVersion: process.version,
    nodePath: app.nodePath,
    clock: app.clock,
    runner: schedule.runner,
    lockSystem: systemLockSystem,
    schedule,
    config,
    ...(configError ? { configError } : {}),
    ...(app.seams.busyTimeoutMs !== null ? { databaseBusyWaitMs: app.seams.busyTimeoutMs } : {}),
    apiUrl: settings.baseUrl,
    credential: memo(async () => {
      const { auth, problem } = await resolveAuth();
      const backend = credentialBackend(config, app.profile);
      if (!auth) return { found: false, ...(backend ? { backend } : {}), ...(problem ? { problem } : {}) };
      return { found: true, kind: auth.kind, source: auth.source, ...(backend ? { backend } : {}), ...expiryOf(auth) };
    }),
    probeApi: async (): Promise<ApiProbeOutcome> => {
      const { auth } = await resolveAuth();
      if (!auth) return { outcome: 'error', message: 'no credential' };
      try {
        await checkCredential(createApiClient({ settings, auth, clock: app.clock, purpose: 'probe' }));
        return { outcome: 'accepted' };
      } catch (err) {
        return classifyCheckFailure(err);
      }
    },
    postgres: (() => {
      const url = paths.databaseUrl;
      if (!url) return () => null;
      return memo(async () => (await import('../db/pg/inspect.js')).inspectPgTarget(url, { accounts: [app.profile] }));
    })(),
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
