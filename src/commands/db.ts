import type { AppContext } from '../core/context.js';
import { ExitCode, InterruptedError, UsageError } from '../core/errors.js';
import { isPostgresUrl } from '../core/paths.js';
import { describePgTarget, pgUrlHasPassword } from '../db/pg/connection.js';
import { parsePositiveInt } from '../domain/user-input.js';
import type { CopyTable, TableCount } from '../domain/copy-plan.js';
import type { DbCopyProgress, DbCopyResult } from '../transfer/db-copy.js';
import { renderTable } from './render/table.js';
import { withInterruptSignal } from './run.js';

/** Flags of `fathom-sync db copy`. */
export interface DbCopyFlags {
  to?: string;
  batchSize?: string;
  db?: string;
  json?: boolean;
  quiet?: boolean;
}

export const DEFAULT_BATCH_ROWS = 1000;
/** Progress lines at most this often (and at the end of each table). */
const PROGRESS_EVERY_MS = 2000;

/** The PostgreSQL target of --to, checked before anything is opened; the value itself is never echoed (it may hold a password). */
export function parseCopyTarget(to: string | undefined): string {
  if (to === undefined || !to.trim()) throw new UsageError('db copy needs --to postgres://USER@HOST/DATABASE');
  const url = to.trim();
  if (!isPostgresUrl(url)) throw new UsageError('--to must be a PostgreSQL connection string: postgres://USER@HOST/DATABASE');
  try {
    new URL(url);
  } catch {
    throw new UsageError('--to is not a readable connection string: postgres://USER@HOST/DATABASE (characters such as @ / : in a password must be percent-encoded)');
  }
  return url;
}

/** `fathom-sync db copy --to postgres://...`: the SQLite database (--db or the default) into PostgreSQL. */
export async function dbCopyCommand(flags: DbCopyFlags, ctx: AppContext): Promise<number> {
  const { output, paths, clock } = ctx;
  const to = parseCopyTarget(flags.to);
  const batchRows = flags.batchSize === undefined ? DEFAULT_BATCH_ROWS : parsePositiveInt(flags.batchSize, '--batch-size');
  if (paths.databaseUrl) {
    throw new UsageError(`db copy reads a SQLite database, and the database named (--db, FATHOM_SYNC_DB or the saved setting) is ${describePgTarget(paths.databaseUrl)}`, {
      text: 'Name the SQLite file to copy:',
      commands: [`fathom-sync db copy --db ${paths.dataDir}/fathom-sync.db --to ${describePgTarget(to)}`],
    });
  }
  if (pgUrlHasPassword(to)) output.warn('the --to connection string holds a password, which shell history and process lists keep: put it in ~/.pgpass or PGPASSWORD instead');
  const started = clock.now();
  let failed: DbCopyResult | null = null;
  output.onJsonFailure(() => ({ source: paths.database, target: describePgTarget(to), duration_ms: clock.now() - started, ...(failed ? { tables: failed.tables } : {}) }));
  const { copyDatabase, CopyVerificationError } = await import('../transfer/db-copy.js');
  const killAfter = ctx.seams.copyKillAfterBatches;
  let result: DbCopyResult;
  try {
    result = await withInterruptSignal(
      (signal) =>
        copyDatabase({
          source: paths.database,
          target: to,
          batchRows,
          now: () => clock.now(),
          signal,
          ...(ctx.seams.busyTimeoutMs !== null ? { busyTimeoutMs: ctx.seams.busyTimeoutMs } : {}),
          onProgress: progressPrinter(ctx),
          ...(killAfter !== null ? { afterBatch: (n: number) => n >= killAfter && process.kill(process.pid, 'SIGKILL') } : {}),
        }),
      (signal) => new InterruptedError(signal, `interrupted (${signal}): the batches copied so far are kept`, 'run the same db copy again: it carries on where this one stopped'),
    );
  } catch (err) {
    if (err instanceof CopyVerificationError) {
      failed = err.result;
      if (!output.jsonMode && !output.quiet) output.result(countsTable(err.result.tables));
    }
    throw err;
  }
  const durationMs = clock.now() - started;
  if (output.jsonMode) output.json({ ...result, duration_ms: durationMs });
  else if (!output.quiet) {
    output.result(countsTable(result.tables));
    const copied = result.tables.reduce((n, t) => n + t.copied, 0);
    output.result(`copied ${copied} rows from ${result.source} into ${result.target} in ${result.batches} batches (${(durationMs / 1000).toFixed(1)} s); every source row verified present`);
  }
  return ExitCode.ok;
}

function countsTable(tables: readonly TableCount[]): string {
  const anySuperseded = tables.some((t) => t.superseded > 0);
  return renderTable(
    [
      { header: 'table' },
      { header: 'source rows', align: 'right' },
      { header: 'copied now', align: 'right' },
      { header: 'in target', align: 'right' },
      ...(anySuperseded ? [{ header: 'newer in target', align: 'right' as const }] : []),
    ],
    tables.map((t) => [t.table, t.source_rows, t.copied, t.present, ...(anySuperseded ? [t.superseded] : [])]),
  );
}

/** Progress on stderr: where from and to, then a line per table now and then, and when it is done. */
function progressPrinter(ctx: AppContext): (event: DbCopyProgress) => void {
  const { output, clock } = ctx;
  let last: { table: CopyTable; at: number; done: number } | null = null;
  return (event) => {
    if (event.kind === 'start') {
      output.info(`copying ${event.source} into ${event.target}: ${event.meetings} meetings of ${event.accounts.length ? event.accounts.join(', ') : 'no account yet'}`);
    } else if (event.kind === 'verify') {
      output.info('verifying: every source row in the target');
    } else {
      const now = clock.now();
      const finished = event.done >= event.total;
      if (last?.table === event.table && (last.done === event.done || (!finished && now - last.at < PROGRESS_EVERY_MS))) return;
      last = { table: event.table, at: now, done: event.done };
      output.info(`${event.table}: ${event.done} of ${event.total} read, ${event.copied} copied`);
    }
  };
}
