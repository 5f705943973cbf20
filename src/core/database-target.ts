import type { AppPaths } from './paths.js';

/**
 * The database as messages name it: the SQLite file, or the PostgreSQL connection string with any
 * password replaced by `***` (a password never reaches output, logs or the crontab).
 */
export function describeTarget(paths: Pick<AppPaths, 'database' | 'databaseUrl'>): string {
  return paths.databaseUrl ? redactUrlPassword(paths.databaseUrl) : paths.database;
}

export function redactUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(an unreadable connection string)';
  }
}
