import type { Readable } from 'node:stream';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, REPO } from './cli.js';

/**
 * `fathom-sync mcp` started by a real MCP client over stdio, the way an assistant starts it:
 * - 'v2': the v2 SDK client (@modelcontextprotocol/client) negotiating the 2026-07-28 revision
 *   (`server/discover`);
 * - 'v2-initialize': the same client with its default 2025-era `initialize` handshake;
 * - 'v1': the v1 SDK's client (@modelcontextprotocol/sdk 1.x), as most assistants ship it today.
 * Both clients check structured results against the tools' output schemas themselves.
 */

export type ClientKind = 'v2' | 'v2-initialize' | 'v1';

export interface ToolResult {
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, any>;
  isError?: boolean;
}

export interface McpTestClient {
  kind: ClientKind;
  /** The revision the v2 client negotiated (the v1 client does not say). */
  protocolVersion: string | undefined;
  serverInfo: { name: string; version: string } | undefined;
  instructions: string | undefined;
  listTools(): Promise<{ name: string; inputSchema: any; outputSchema?: any; annotations?: any; description?: string }[]>;
  call(name: string, args: Record<string, unknown>): Promise<ToolResult>;
  listResources(): Promise<{ uri: string; name: string; mimeType?: string }[]>;
  listResourceTemplates(): Promise<{ uriTemplate: string; name: string }[]>;
  readResource(uri: string): Promise<{ uri: string; text?: string; mimeType?: string }[]>;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** The string-only environment the transports take. */
function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export async function connectMcp(kind: ClientKind, env: NodeJS.ProcessEnv, extraArgs: string[] = []): Promise<McpTestClient> {
  const params = { command: process.execPath, args: [CLI, 'mcp', ...extraArgs], env: stringEnv(env), cwd: REPO, stderr: 'pipe' as const };
  let stderr = '';
  const collect = (stream: unknown) => (stream as Readable | null)?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const info = { name: 'fathom-sync-tests', version: '1.0.0' };
  if (kind === 'v1') {
    const transport = new StdioV1(params);
    collect(transport.stderr);
    const client = new ClientV1(info);
    await client.connect(transport);
    return adapt(kind, client, undefined, () => stderr);
  }
  const transport = new StdioV2(params);
  collect(transport.stderr);
  const client = new ClientV2(info, kind === 'v2' ? { versionNegotiation: { mode: 'auto' } } : {});
  await client.connect(transport);
  return adapt(kind, client, client.getNegotiatedProtocolVersion(), () => stderr);
}

/** The calls both SDKs' clients have, by the same names. */
interface SdkClient {
  getServerVersion(): { name: string; version: string } | undefined;
  getInstructions(): string | undefined;
  listTools(): Promise<{ tools: any[] }>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  listResources(): Promise<{ resources: any[] }>;
  listResourceTemplates(): Promise<{ resourceTemplates: any[] }>;
  readResource(params: { uri: string }): Promise<{ contents: any[] }>;
  close(): Promise<void>;
}

function adapt(kind: ClientKind, client: SdkClient, protocolVersion: string | undefined, stderr: () => string): McpTestClient {
  return {
    kind,
    protocolVersion,
    serverInfo: client.getServerVersion(),
    instructions: client.getInstructions(),
    listTools: async () => (await client.listTools()).tools,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as ToolResult,
    listResources: async () => (await client.listResources()).resources,
    listResourceTemplates: async () => (await client.listResourceTemplates()).resourceTemplates,
    readResource: async (uri) => (await client.readResource({ uri })).contents,
    stderr,
    close: () => client.close(),
  };
}

/** A tool result's text. */
export function textOf(result: ToolResult): string {
  return result.content.map((c) => c.text ?? '').join('');
}
