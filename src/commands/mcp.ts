import { format } from 'node:util';
import { readableDatabase } from './read-scope.js';
import type { AppContext } from '../core/context.js';
import { ExitCode } from '../core/errors.js';
import { inspectDatabaseFile } from '../db/database.js';
import { VERSION } from '../core/version.js';

export interface McpFlags {
  printConfig?: boolean;
}

/**
 * `fathom-sync mcp`: the MCP server on stdin/stdout for AI assistants (read-only over the local
 * database), or with --print-config the lines that set an assistant up to start it.
 */
export async function mcpCommand(flags: McpFlags, ctx: AppContext): Promise<number> {
  readableDatabase(ctx);
  if (flags.printConfig) {
    const { cliEntry, printedConfig, serverLaunch } = await import('../mcp/print-config.js');
    ctx.output.result(printedConfig(serverLaunch({ nodePath: ctx.nodePath, cli: cliEntry(), database: ctx.paths.database, env: ctx.env })));
    return ExitCode.ok;
  }
  const stderr = ctx.output.streams.stderr;
  const log = (message: string) => stderr.write(`fathom-sync mcp: ${message}\n`);
  // From here on stdout belongs to the protocol: whatever a library prints goes to stderr.
  routeConsoleTo(stderr);
  if (ctx.stdin.isTTY) log('this is an MCP server for AI assistants, speaking JSON-RPC on stdin/stdout; to set one up, run: fathom-sync mcp --print-config');
  let state: string;
  try {
    state = inspectDatabaseFile(ctx.paths.database);
  } catch {
    state = 'unusable';
  }
  log(
    state === 'sqlite'
      ? `serving ${ctx.paths.database} (read-only)`
      : state === 'unusable'
        ? `the database ${ctx.paths.database} cannot be used: every tool will say why`
        : `no database at ${ctx.paths.database} yet: every tool will say to run fathom-sync run --all`,
  );
  const [{ serveMcp }, { ReaderSource }] = await Promise.all([import('../mcp/server.js'), import('../mcp/reader-source.js')]);
  const source = new ReaderSource(ctx.paths.database);
  try {
    await serveMcp({ version: VERSION, openReader: () => source.reader(), log }, ctx.stdin);
  } finally {
    source.close();
  }
  return ExitCode.ok;
}

function routeConsoleTo(stream: NodeJS.WritableStream): void {
  const write = (...args: unknown[]) => {
    stream.write(`${format(...args)}\n`);
  };
  console.log = write;
  console.info = write;
  console.debug = write;
}
