import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { registerMeetingResource } from './resources.js';
import { callTool, READ_ONLY, type AnyTool, type OpenReader } from './tool-kit.js';
import { getMeetingTool, listMeetingsTool, searchMeetingsTool } from './tools/meetings.js';
import { getTalkTimeTool, listActionItemsTool, listPeopleTool } from './tools/people.js';
import { getTranscriptTool } from './tools/transcript.js';

/**
 * The MCP server: seven read-only tools and one resource template over the local database, on
 * the official SDK (v2). serveStdio speaks both protocol eras on stdin/stdout: clients that open
 * with `initialize` (2025-era, the v1 SDK and most clients today) and those that open with
 * `server/discover` (2026-07-28).
 */

export const TOOLS: readonly AnyTool[] = [searchMeetingsTool, listMeetingsTool, getMeetingTool, getTranscriptTool, listActionItemsTool, getTalkTimeTool, listPeopleTool];

const INSTRUCTIONS = [
  'Your Fathom meetings (transcripts, summaries, action items, attendees), synced to a local SQLite database by fathom-sync.',
  'Read-only and offline: the tools never change anything or call Fathom.',
  'Start with search_meetings (what was said, ranked) or list_meetings (what happened when); then get_meeting or get_transcript with a recording_id.',
  'Dates are YYYY-MM-DD (UTC) or ISO date-times. The database is as fresh as the last `fathom-sync run`.',
].join(' ');

export interface ServerDeps {
  version: string;
  openReader: OpenReader;
  /** A line on stderr: stdout carries the protocol only. */
  log(message: string): void;
}

export function buildMcpServer(deps: ServerDeps): McpServer {
  const server = new McpServer({ name: 'fathom-sync', title: 'fathom-sync: your Fathom meetings', version: deps.version }, { instructions: INSTRUCTIONS });
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, outputSchema: tool.output, annotations: { title: tool.title, ...READ_ONLY } },
      (args: unknown) => callTool(tool, args, deps.openReader, deps.log),
    );
  }
  registerMeetingResource(server, deps.openReader);
  return server;
}

/** Serves over stdin/stdout until the client closes stdin. */
export async function serveMcp(deps: ServerDeps, stdin: NodeJS.ReadableStream): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
  });
  const handle = serveStdio(() => buildMcpServer(deps), { onerror: (err) => deps.log(`protocol: ${err.message}`) });
  await closed;
  await handle.close();
}
