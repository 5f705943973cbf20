import path from 'node:path';
import { accountScope, openReaderFor } from './read-scope.js';
import type { AppContext } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { EXPORT_FORMATS, exportMeetings, type ExportFormat } from '../export/export-meetings.js';
import { parseMeetingFilter, type MeetingFilterFlags } from '../domain/meeting-filter.js';

export interface ExportFlags extends MeetingFilterFlags {
  format?: string;
  out?: string;
  id?: string[];
  force?: boolean;
  json?: boolean;
}

/** `fathom-sync export`: meetings as Markdown, JSON, NDJSON or CSV files. */
export async function exportCommand(flags: ExportFlags, ctx: AppContext): Promise<number> {
  const format = (flags.format ?? 'md') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`--format "${flags.format}": use ${EXPORT_FORMATS.join(', ')}`);
  if (flags.out === undefined && (format === 'md' || format === 'json')) {
    throw new UsageError(`--format ${format} writes one file per meeting: give a folder with --out DIR`);
  }
  if (flags.out !== undefined && !flags.out.trim()) throw new UsageError('--out is empty');
  const ids = (flags.id ?? []).map((id) => {
    if (!/^-?\d+$/.test(id.trim())) throw new UsageError(`--id "${id}" is not a recording id`);
    return Number(id);
  });
  const filter = { ...parseMeetingFilter(flags), ...accountScope(ctx), ...(ids.length ? { ids } : {}) };
  const reader = await openReaderFor(ctx);
  try {
    const unknown = ids.filter((id) => reader.resolveMeetingRef(String(id)) === null);
    if (unknown.length) throw new UsageError(`no meeting ${unknown.join(', ')} in the database`, { text: 'Find recording ids with:', commands: ['fathom-sync list'] });
    const { output } = ctx;
    const out = flags.out === undefined ? null : path.resolve(flags.out);
    const result = exportMeetings(reader, { format, out, filter, force: flags.force ?? false }, { stdout: output.streams.stdout, warn: (m) => output.warn(m) });
    if (out !== null) {
      if (output.jsonMode) output.json(result);
      else output.result(`${result.written} written, ${result.unchanged} unchanged${result.skipped ? `, ${result.skipped} skipped` : ''}${result.moved ? ` (${result.moved} renamed)` : ''} · ${result.meetings} meeting${result.meetings === 1 ? '' : 's'} in ${out}`);
    }
    return ExitCode.ok;
  } finally {
    reader.close();
  }
}
