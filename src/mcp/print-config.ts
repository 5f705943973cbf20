import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `fathom-sync mcp --print-config`: what to paste into an assistant so it starts this server. The
 * assistant starts it without your shell's environment, so everything that decides which
 * database is read is written out: the absolute node and CLI paths, the database as --db, and
 * FATHOM_SYNC_HOME when it is set. Never a credential: the server reads only the database, and
 * the config carries nothing else.
 */

export interface ServerLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The CLI entry of this installation (bin/fathom-sync.js beside dist/), symlinks resolved. */
export function cliEntry(): string {
  const entry = fileURLToPath(new URL('../../bin/fathom-sync.js', import.meta.url));
  try {
    return fs.realpathSync(entry);
  } catch {
    return entry;
  }
}

export function serverLaunch(options: { nodePath: string; cli: string; database: string; env: NodeJS.ProcessEnv }): ServerLaunch {
  const home = options.env.FATHOM_SYNC_HOME?.trim();
  return {
    command: path.resolve(options.nodePath),
    args: [path.resolve(options.cli), 'mcp', '--db', path.resolve(options.database)],
    env: home ? { FATHOM_SYNC_HOME: path.resolve(home) } : {},
  };
}

/** A word for a POSIX shell: quoted only when it needs to be. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function claudeDesktopConfig(launch: ServerLaunch): string {
  const server = { command: launch.command, args: launch.args, ...(Object.keys(launch.env).length ? { env: launch.env } : {}) };
  return JSON.stringify({ mcpServers: { 'fathom-sync': server } }, null, 2);
}

export function claudeCodeCommand(launch: ServerLaunch): string {
  const env = Object.entries(launch.env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  return ['claude', 'mcp', 'add', '--transport', 'stdio', '--scope', 'user', ...env, 'fathom-sync', '--', launch.command, ...launch.args].map(shellWord).join(' ');
}

export function printedConfig(launch: ServerLaunch): string {
  return [
    '# Claude Desktop: add this to claude_desktop_config.json (Settings > Developer > Edit Config), then restart it.',
    '# Already have "mcpServers"? Add the "fathom-sync" entry to it.',
    claudeDesktopConfig(launch),
    '',
    '# Claude Code: run this once.',
    claudeCodeCommand(launch),
  ].join('\n');
}
