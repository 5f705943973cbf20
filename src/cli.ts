import { Command, CommanderError, Option } from 'commander';
import { FathomSyncError, ExitCode, UsageError, errorMessage } from './core/errors.js';
import type { Streams } from './core/output.js';

/**
 * The command line. Only commander is loaded up front so `--help` stays fast: each action
 * imports its command module when it runs. Commands parse flags and call services; every
 * error comes back here and becomes one stderr line and an exit code.
 */

export const VERSION = '0.1.0';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function buildProgram(streams: Streams): Command {
  const program = new Command('fathom-sync')
    .description('Copy your Fathom meetings, transcripts, summaries and action items into a local SQLite database.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
      // commander's own errors are rethrown by exitOverride and printed by main().
      outputError: () => {},
    })
    .exitOverride();

  program
    .command('run')
    .description('sync meetings from Fathom into the local database (default: the last 30 days)')
    .option('--all', 'every meeting, from the first one on')
    .option('--since <date>', 'meetings created on or after DATE (YYYY-MM-DD or an ISO date-time, UTC)')
    .option('--until <date>', 'with --since: meetings created on or before DATE (a date alone includes that whole day)')
    .option('--last <n>', 'the N most recent meetings')
    .option('--incremental', 'from the last sync minus a lookback; what the hourly job runs')
    .option('--lookback <days>', 'with --incremental: days to re-read before the bookmark (default 7)')
    .option('--recorded-by <email>', 'only meetings recorded by this person (repeatable)', collect)
    .option('--team <name>', 'only meetings of this team (repeatable)', collect)
    .option('--domain <domain>', 'only meetings with invitees from this company domain (repeatable)', collect)
    .option('--external-only', 'only meetings with at least one external invitee')
    .option('--internal-only', 'only meetings with internal invitees only')
    .option('--meeting-type <name>', 'only meetings of this meeting type')
    .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)')
    .option('--json', 'print the result as one JSON object on stdout')
    .option('-q, --quiet', 'no progress output; errors and warnings only')
    .addOption(new Option('--scheduled', 'mark the run as started by the schedule').hideHelp())
    .action(async (flags) => {
      const { runCommand } = await import('./commands/run.js');
      program.setOptionValue('exitCode', await runCommand(flags, streams));
    });

  // --- connect / disconnect / status (credentials) ---
  // --- end credentials ---

  // --- install-cron / uninstall-cron / log / doctor (scheduling) ---
  // --- end scheduling ---

  return program;
}

export async function main(argv: string[], streams: Streams = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const program = buildProgram(streams);
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return ExitCode.ok;
    }
    await program.parseAsync(argv);
    return (program.getOptionValue('exitCode') as number | undefined) ?? ExitCode.ok;
  } catch (err) {
    return reportError(err, streams);
  }
}

/** The one place errors become output and exit codes. */
export function reportError(err: unknown, streams: Streams): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    const message = err.message.replace(/^error:\s*/, '').split('\n')[0];
    streams.stderr.write(`fathom-sync: ${message} (see fathom-sync --help)\n`);
    return ExitCode.usage;
  }
  if (err instanceof FathomSyncError) {
    streams.stderr.write(`fathom-sync: ${err.message}\n`);
    if (err.fix && !(err instanceof UsageError)) streams.stderr.write(`  fix: ${err.fix}\n`);
    return err.exitCode;
  }
  if ((err as { name?: string }).name === 'AbortError') {
    streams.stderr.write('fathom-sync: interrupted\n');
    return ExitCode.failure;
  }
  streams.stderr.write(`fathom-sync: unexpected error: ${errorMessage(err)}\n`);
  if (streams.env.FATHOM_SYNC_DEBUG) streams.stderr.write(`${(err as Error).stack ?? ''}\n`);
  return ExitCode.failure;
}
