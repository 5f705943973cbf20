import fs from 'node:fs';
import { writeFileAtomic } from './fs-safe.js';
import { ConfigError } from './errors.js';

/**
 * Non-secret settings kept in config.json. Secrets never go here: only where they are
 * (the credential backend) so that a scheduled run looks in the right place.
 */
export interface AppConfig {
  /** Which backend holds the credential of each profile. */
  credentials?: Record<string, { backend: string; kind: 'api_key' | 'oauth'; savedAt: string }>;
  oauth?: {
    clientId?: string;
    /** The token endpoint that answered last time (Fathom has two candidates). */
    tokenUrl?: string;
    port?: number;
    /** The redirect URI registered with the app, exactly as connect sent it (connect --redirect-uri). */
    redirectUri?: string;
  };
  schedule?: {
    kind: 'crontab' | 'launchd';
    minute: number;
    nodePath: string;
    cliPath: string;
    installedAt: string;
    /** launchd only: the plist we wrote. */
    plistPath?: string;
    /** crontab only: whose crontab (`crontab -u`), when not the user's own. */
    crontabUser?: string;
  };
  /** The minute of the hour the scheduled job runs at: chosen once at random, then kept. */
  cronMinute?: number;
  /**
   * Recorders outside the organisation whose shared calls every run also asks for with
   * recorded_by[] (`config add-recorder`): lower-case email addresses.
   */
  recorders?: string[];
  /**
   * The database when neither --db nor FATHOM_SYNC_DB names one (`fathom-sync config set-db`): a
   * file, or a PostgreSQL connection string without its password (PGPASSWORD / ~/.pgpass hold that).
   */
  database?: string;
  /** Per profile (Fathom account): the API URL connect used, when not Fathom's own. */
  profiles?: Record<string, { apiUrl?: string; addedAt?: string }>;
  [key: string]: unknown;
}

export function readConfig(file: string): AppConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as AppConfig;
  } catch {
    // fall through
  }
  throw new ConfigError(`${file} is not valid JSON`, `fix or delete ${file}`);
}

/** Read-modify-write of the config file; the write is atomic (0600). */
export function updateConfig(file: string, change: (config: AppConfig) => void): AppConfig {
  const config = readConfig(file);
  change(config);
  writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

/** The API URL `connect` saved for the profile, or null for Fathom's own. */
export function savedApiUrl(config: AppConfig, profile: string): string | null {
  const url = config.profiles?.[profile]?.apiUrl;
  return typeof url === 'string' && url.trim() ? url.trim() : null;
}
