import type { z } from 'zod';
import { FathomSyncError, UsageError, errorMessage, type Fix } from '../core/errors.js';
import type { MeetingReader } from '../db/read/reader.js';

/**
 * What every tool shares: its definition (schemas, a handler that reads and renders), the
 * database opened read-only for each call, and one way of turning any failure into a tool error
 * the assistant can act on (never an exception out of the server).
 */

export type Reader = MeetingReader;

/** The database, read-only, for one call (see ReaderSource). Throws the "run a sync first" error when there is none. */
export type OpenReader = () => Promise<Reader>;

export interface ToolAnswer<T> {
  /** Markdown for the assistant to read. */
  text: string;
  /** The same answer as data, matching the tool's output schema. */
  structured: T;
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  run(args: z.output<I>, reader: Reader): ToolAnswer<z.output<O>>;
}

/** A tool of any schemas, for tables of tools. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = ToolDefinition<any, any>;

export const defineTool = <I extends z.ZodObject, O extends z.ZodObject>(tool: ToolDefinition<I, O>): AnyTool => tool;

/** Every tool only reads the local database: nothing is changed, nothing outside is reached. */
export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

export interface ToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Runs a tool against the database; any failure becomes a tool error, logged when unexpected. */
export async function callTool(tool: AnyTool, args: unknown, openReader: OpenReader, log: (message: string) => void): Promise<ToolResult> {
  try {
    const { text, structured } = tool.run(args, await openReader());
    return { content: [{ type: 'text', text }], structuredContent: structured as Record<string, unknown> };
  } catch (err) {
    if (!(err instanceof FathomSyncError)) log(`${tool.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { content: [{ type: 'text', text: toolErrorText(err, Object.keys(tool.input.shape)) }], isError: true };
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A flag of the CLI (`--since`) named as the tool argument it came from (`since`). */
const argumentNames = (message: string) => message.replace(/(^|[\s("'])--([a-z][a-z-]*)/g, (_m, before: string, flag: string) => `${before}${flag.replace(/-/g, '_')}`);

function fixSentence(fix: Fix | undefined): string {
  if (!fix) return '';
  const commands = fix.commands.map((c) => `\`${c}\``).join(', then ');
  const words = fix.text.replace(/[:.]\s*$/, '');
  if (!commands) return words ? `; ${words}` : '';
  return words ? `. ${capitalize(words)}: run ${commands} in a terminal` : `. Run ${commands} in a terminal`;
}

/**
 * One sentence the assistant can act on. Bad arguments say which and how to write them (the
 * CLI's own parsers decide, their flags renamed to the arguments); a missing or old database
 * names the command that fixes it; anything else says it failed, without a stack.
 */
export function toolErrorText(err: unknown, argumentsOfTool: readonly string[] = []): string {
  if (err instanceof UsageError) {
    // The CLI's fix commands ("fathom-sync list") are for a terminal; the sentence is enough here.
    const fix = err.fix && err.fix.commands.length === 0 ? err.fix : undefined;
    const message = argumentNames(err.message);
    // A sentence that starts with an argument's name keeps it as written: `since "x" is not a date`.
    const first = /^[a-z_]+/.exec(message)?.[0] ?? '';
    return `${argumentsOfTool.includes(first) ? message : capitalize(message)}${fixSentence(fix)}.`;
  }
  if (err instanceof FathomSyncError) return `${capitalize(err.message)}${fixSentence(err.fix)}.`;
  return `fathom-sync could not answer: ${errorMessage(err)}.`;
}
