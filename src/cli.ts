import { Command, CommanderError, Help, Option } from 'commander';
import { ExitCode, UsageError } from './core/errors.js';
import { OutputHost, type Streams } from './core/output.js';
import { createAppContext, type AppContext } from './core/context.js';
import { VERSION } from './core/version.js';

/**
 * The command line. Only commander is loaded up front so `--help` stays fast: each action
 * imports its command module when it runs. The application context is built here, once, when a
 * command runs (its --db decides the database path); commands parse flags and call services;
 * every error comes back here and becomes one stderr line (and a JSON failure under --json) and
 * an exit code.
 */

export { VERSION };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Flags every command may have that shape the context and the output. */
interface CommonFlags {
  db?: string;
  profile?: string;
  json?: boolean;
  quiet?: boolean;
}

export function buildProgram(streams: Streams, output: OutputHost = new OutputHost(streams), stdin?: NodeJS.ReadStream): Command {
  let built: AppContext | undefined;
  /** The context of the command being run, with its output mode set before it parses anything. */
  const context = (flags: CommonFlags): AppContext => {
    output.configure({ json: flags.json ?? false, quiet: flags.quiet ?? false });
    const profile = profileFlag(flags);
    built ??= createAppContext(streams, { output, ...(flags.db ? { db: flags.db } : {}), ...(profile !== undefined ? { profile } : {}), ...(stdin ? { stdin } : {}) });
    return built;
  };
  /** --profile as given, before the command (`fathom-sync --profile x run`) or after it. */
  const profileFlag = (flags: CommonFlags): string | undefined => flags.profile ?? (program.opts().profile as string | undefined);
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
    .option('--wait', 'if a sync is already running, wait for it to finish instead of exiting with code 6')
    .option('--all-profiles', 'sync every connected profile (Fathom account), one after another; exits with the worst code')
    .addOption(new Option('--scheduled', 'mark the run as started by the schedule').hideHelp())
    .action(async (flags) => {
      const { runCommand } = await import('./commands/run.js');
      const ctx = context(flags);
      program.setOptionValue('exitCode', await runCommand({ ...flags, profile: profileFlag(flags) }, ctx));
    });

  // --- connect / disconnect / status (credentials) ---
  // Secret-looking flags are declared (hidden, with an optional value) only so that a secret
  // typed on the command line is refused with a clear message instead of echoed back by
  // commander's "unknown option" error.
  const secretTrap = (name: string) => new Option(`${name} [value]`).hideHelp();
  program
    .command('connect')
    .description('connect to Fathom: OAuth with your own Fathom app (default) or an API key (--api-key)')
    // --api-key takes an optional value only to refuse a key typed on the command line; help
    // shows it as the plain switch it is.
    .configureHelp({
      optionTerm: (o) => (o.long === '--api-key' ? '--api-key' : o.flags),
      optionDescription: (o) => (o.long === '--api-key' ? o.description : new Help().optionDescription(o)),
    })
    .addOption(new Option('--api-key [value]', 'connect with an API key instead (read from a hidden prompt or piped stdin)').preset(true))
    .option('--client-id <id>', 'client id of your Fathom OAuth app (default: FATHOM_CLIENT_ID or the saved one)')
    .option('--port <port>', 'port of the redirect URI http://127.0.0.1:<port>/callback (default 38421)')
    .option('--redirect-uri <url>', 'the redirect URI registered in your Fathom app, if not http://127.0.0.1:<port>/callback (remembered)')
    .option('--timeout <seconds>', 'how long to wait for the browser (default 300)')
    .option('--no-browser', 'print the URL only; do not open a browser')
    .option('--manual', 'for SSH sessions: paste the address the browser was redirected to')
    .option('--insecure-storage', 'if the OS keychain cannot be reached, save credentials in a plain-text file (0600)')
    .option('--api-url <url>', "the Fathom API this profile's account is on, saved for it (default: FATHOM_API_URL, else Fathom's own)")
    .addOption(secretTrap('--client-secret'))
    .addOption(secretTrap('--secret'))
    .addOption(secretTrap('--token'))
    .addOption(secretTrap('--access-token'))
    .addOption(secretTrap('--refresh-token'))
    .allowExcessArguments(true)
    .addHelpText(
      'after',
      [
        '',
        'Register this redirect URI in your Fathom app, exactly: http://127.0.0.1:38421/callback',
        '(with --port N: http://127.0.0.1:N/callback). Apps: https://fathom.video/marketplace_applications/new',
        'If the app needs another one, pass it with --redirect-uri (remembered for later connects):',
        '  http(s)://127.0.0.1:PORT/PATH or http(s)://localhost:PORT/PATH  fathom-sync receives the browser itself',
        '      (https: over a certificate made for this login; the browser warns once)',
        '  any other https:// URL  paste the address the browser ended on, or host the forwarder page',
        '      src/auth/oauth-forwarder.html there: it hands the code to http://127.0.0.1:38421/callback',
        '      (--port N: to port N), where connect also listens',
        'The client secret comes from FATHOM_CLIENT_SECRET, the first line of piped stdin, the one saved',
        'by an earlier connect, or a hidden prompt: never from a flag. FATHOM_OAUTH_AUTHORIZE_URL and',
        'FATHOM_OAUTH_TOKEN_URL override the OAuth endpoints.',
        'Credentials go to the OS keychain; a plain-text file only with --insecure-storage,',
        'FATHOM_SYNC_TOKEN_STORE=file, or your answer at the prompt.',
        'Another Fathom account: connect it under a profile name, e.g. fathom-sync connect --profile work',
        '(its own credential, API URL and sync state; fathom-sync profiles lists them).',
      ].join('\n'),
    )
    .action(async (flags, command: Command) => {
      const { connectCommand } = await import('./commands/connect.js');
      program.setOptionValue('exitCode', await connectCommand(flags, command.args, context(flags)));
    });

  program
    .command('disconnect')
    .description('remove the stored Fathom credential')
    .option('--forget-app', "also remove the OAuth app's client secret and client id")
    .option('--purge', 'also delete the local database (asks first)')
    .option('--yes', 'with --purge: do not ask')
    .option('--db <path>', 'database file for --purge (default: see FATHOM_SYNC_DB and the data directory)')
    .action(async (flags) => {
      const { disconnectCommand } = await import('./commands/disconnect.js');
      program.setOptionValue('exitCode', await disconnectCommand(flags, context(flags)));
    });

  program
    .command('status')
    .description('show whether fathom-sync is connected, where the credential lives, and the database (exit 4 when not connected)')
    .option('--check', 'also make one API call to prove the credential works (renews an expiring token)')
    .option('--json', 'print the status as one JSON object on stdout')
    .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)')
    .action(async (flags) => {
      const { statusCommand } = await import('./commands/status.js');
      program.setOptionValue('exitCode', await statusCommand(flags, context(flags)));
    });

  program
    .command('profiles')
    .description('list the profiles (Fathom accounts): credential, API URL, last sync, whether a sync is running')
    .option('--json', 'print the profiles as a JSON array on stdout')
    .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)')
    .action(async (flags) => {
      const { profilesCommand } = await import('./commands/profiles.js');
      program.setOptionValue('exitCode', await profilesCommand(flags, context(flags)));
    });
  // --- end credentials ---

  // --- config (settings in config.json) ---
  const config = program
    .command('config')
    .description('settings kept in config.json: the database, and recorders outside your organisation whose shared calls are synced too')
    .action(() => {
      throw new UsageError('config needs one of: set-db DATABASE, unset-db, add-recorder EMAIL, remove-recorder EMAIL, recorders (see fathom-sync config --help)');
    });
  config
    .command('add-recorder')
    .description('also sync the calls this person outside your organisation records and shares with you (Fathom lists them only when asked by recorded_by[])')
    .argument('<email>', "the recorder's email address")
    .option('--json', 'print the list as one JSON object on stdout')
    .action(async (email: string, flags) => {
      const { addRecorderCommand } = await import('./commands/config.js');
      program.setOptionValue('exitCode', await addRecorderCommand(email, flags, context(flags)));
    });
  config
    .command('remove-recorder')
    .description('stop asking for the calls of this recorder (the meetings already synced stay)')
    .argument('<email>', "the recorder's email address")
    .option('--json', 'print the list as one JSON object on stdout')
    .action(async (email: string, flags) => {
      const { removeRecorderCommand } = await import('./commands/config.js');
      program.setOptionValue('exitCode', await removeRecorderCommand(email, flags, context(flags)));
    });
  config
    .command('set-db')
    .description('the database of every command without --db or FATHOM_SYNC_DB, the hourly job included: a SQLite file or postgres://user@host/db (the password goes in ~/.pgpass)')
    .argument('<database>', 'a file, or a PostgreSQL connection string without a password')
    .option('--json', 'print the setting as one JSON object on stdout')
    .action(async (database: string, flags) => {
      const { setDatabaseCommand } = await import('./commands/config.js');
      program.setOptionValue('exitCode', await setDatabaseCommand(database, flags, context(flags)));
    });
  config
    .command('unset-db')
    .description('go back to the default database file')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags) => {
      const { unsetDatabaseCommand } = await import('./commands/config.js');
      program.setOptionValue('exitCode', await unsetDatabaseCommand(flags, context(flags)));
    });
  config
    .command('recorders')
    .alias('list-recorders')
    .description('list the recorders outside your organisation that every run also asks for')
    .option('--json', 'print the list as one JSON object on stdout')
    .action(async (flags) => {
      const { listRecordersCommand } = await import('./commands/config.js');
      program.setOptionValue('exitCode', await listRecordersCommand(flags, context(flags)));
    });
  // --- end config ---

  // --- install-cron / uninstall-cron / log / doctor (scheduling) ---
  // Root only, and mostly for tests: edit another user's crontab (crontab -u).
  const crontabUserOption = () => new Option('--crontab-user <name>', "edit this user's crontab (root only)").hideHelp();

  program
    .command('install-cron')
    .description('run an incremental sync every hour (crontab on Linux, a LaunchAgent on macOS)')
    .option('--dry-run', 'print exactly what would be written, change nothing')
    .option('--minute <n>', 'minute of the hour to run at, 0-59 (default: picked once, then kept)')
    .option('--all-profiles', 'the job syncs every connected profile, one after another (run --all-profiles)')
    .option('--json', 'print the result as one JSON object on stdout')
    .addOption(crontabUserOption())
    .addHelpText('after', '\nWith --profile NAME (or FATHOM_SYNC_PROFILE) the job syncs that profile; one job per user, so installing again replaces it.')
    .action(async (flags) => {
      const { installCronCommand } = await import('./commands/install-cron.js');
      const ctx = context(flags);
      program.setOptionValue('exitCode', await installCronCommand({ ...flags, profile: profileFlag(flags) }, ctx));
    });

  program
    .command('uninstall-cron')
    .description('remove the hourly sync that install-cron set up, and nothing else')
    .option('--dry-run', 'print exactly what would be removed, change nothing')
    .option('--json', 'print the result as one JSON object on stdout')
    .addOption(crontabUserOption())
    .action(async (flags) => {
      const { uninstallCronCommand } = await import('./commands/uninstall-cron.js');
      program.setOptionValue('exitCode', await uninstallCronCommand(flags, context(flags)));
    });

  program
    .command('log')
    .description('list recent sync runs, manual and scheduled (kept for 30 days)')
    .option('--limit <n>', 'how many runs to show (default 20)')
    .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)')
    .option('--json', 'print the runs as a JSON array on stdout')
    .action(async (flags) => {
      const { logCommand } = await import('./commands/log.js');
      program.setOptionValue('exitCode', await logCommand(flags, context(flags)));
    });

  program
    .command('doctor')
    .description('check that syncing works, and will keep working every hour; prints a fix for each problem')
    .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)')
    .option('--json', 'print the checks as one JSON object on stdout')
    .option('--verbose', 'show the details of every check, not only of problems')
    .action(async (flags) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      program.setOptionValue('exitCode', await doctorCommand(flags, context(flags)));
    });
  // --- end scheduling ---

  // --- using the data (read-only: never takes the sync lock, never writes) ---
  const withMeetingFilters = (command: Command): Command =>
    command
      .option('--since <date>', 'meetings created on or after DATE (YYYY-MM-DD or an ISO date-time, UTC)')
      .option('--until <date>', 'meetings created on or before DATE (a date alone includes that whole day)')
      .option('--with <email|domain>', 'meetings with this attendee or company (repeatable)', collect)
      .option('--recorded-by <email>', 'meetings recorded by this person (repeatable)', collect)
      .option('--team <name>', "meetings of this recorder's team (repeatable)", collect)
      .option('--domain <domain>', 'meetings with invitees from this company domain (repeatable)', collect)
      .option('--external-only', 'meetings with at least one external invitee')
      .option('--internal-only', 'meetings with internal invitees only')
      .option('--meeting-type <name>', 'meetings of this meeting type')
      .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)');

  withMeetingFilters(
    program
      .command('search')
      .description('full-text search over titles, summaries, transcripts and action items, best matches first')
      .argument('<query...>', 'words (all must match), "exact phrases", -word to leave out, OR, prefix*')
      .option('--speaker <name>', 'only what this speaker said (transcript lines)')
      .option('--in <where>', 'only in these, comma-separated: title,summary,transcript,actions')
      .option('--limit <n>', 'how many hits to show (default 20)')
      .option('--json', 'print {query, total, hits} as one JSON object on stdout')
      // `-word` (leave a word out) must reach the query, not be taken for an option.
      .allowUnknownOption(true)
      .addHelpText('after', '\nA word that starts with "-" leaves it out: fathom-sync search pricing -competitor'),
  ).action(async (words: string[], flags) => {
    const { searchCommand } = await import('./commands/search.js');
    program.setOptionValue('exitCode', await searchCommand(words.join(' '), flags, context(flags)));
  });

  withMeetingFilters(program.command('list').description('recent meetings, newest first'))
    .option('--limit <n>', 'how many meetings (default 20)')
    .option('--json', 'print the meetings as a JSON array on stdout')
    .action(async (flags) => {
      const { listCommand } = await import('./commands/list.js');
      program.setOptionValue('exitCode', await listCommand(flags, context(flags)));
    });

  program
    .command('show')
    .description('one meeting: attendees, summary, action items, talk time (and --transcript)')
    .argument('<id>', 'a recording id, or a Fathom link to the meeting')
    .option('--transcript', 'also print the transcript')
    .option('--json', "print the meeting in Fathom's Meeting shape, plus talk_time, on stdout")
    .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)')
    .action(async (ref: string, flags) => {
      const { showCommand } = await import('./commands/show.js');
      program.setOptionValue('exitCode', await showCommand(ref, flags, context(flags)));
    });

  withMeetingFilters(program.command('export').description('write meetings as Markdown, JSON, NDJSON or CSV; re-runs write only what changed'))
    .option('--format <format>', 'md (default), json, ndjson or csv')
    .option('--out <dir>', 'the folder to write to (md and json need one; ndjson and csv go to stdout without it)')
    .option('--id <recording_id>', 'only this meeting (repeatable)', collect)
    .option('--force', 'overwrite files edited by hand since they were exported')
    .option('--json', 'print what was written as one JSON object on stdout')
    .action(async (flags) => {
      const { exportCommand } = await import('./commands/export.js');
      program.setOptionValue('exitCode', await exportCommand(flags, context(flags)));
    });

  program
    .command('people')
    .description('everyone you have met, or (with EMAIL) one person: their meetings and open action items')
    .argument('[email]', "a person's email address")
    .option('--external', 'only people from outside your organisation')
    .option('--internal', 'only people from inside it')
    .option('--domain <domain>', 'only people of this company domain')
    .option('--sort <key>', 'meetings (default), recent, name or minutes')
    .option('--limit <n>', 'how many')
    .option('--json', 'print as JSON on stdout')
    .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)')
    .action(async (email: string | undefined, flags) => {
      const { peopleCommand } = await import('./commands/people.js');
      program.setOptionValue('exitCode', await peopleCommand(email, flags, context(flags)));
    });

  withMeetingFilters(program.command('tasks').description('action items from your meetings, open ones by default'))
    .option('--done', 'completed action items instead')
    .option('--all', 'open and completed')
    .option('--assignee <email>', 'only those assigned to this person')
    .option('--limit <n>', 'how many')
    .option('--json', 'print the action items as a JSON array on stdout')
    .action(async (flags) => {
      const { tasksCommand } = await import('./commands/tasks.js');
      program.setOptionValue('exitCode', await tasksCommand(flags, context(flags)));
    });

  withMeetingFilters(program.command('stats').description('meetings and hours per week, external share, talk time, top companies and people'))
    .option('--json', 'print the figures as one JSON object on stdout')
    .action(async (flags) => {
      const { statsCommand } = await import('./commands/stats.js');
      program.setOptionValue('exitCode', await statsCommand(flags, context(flags)));
    });

  program
    .command('mcp')
    .description('serve your meetings to AI assistants (Claude, Cursor, any MCP client) over stdio: read-only, offline, with full-text search')
    .option('--print-config', 'print the Claude Desktop config block and the `claude mcp add` line that start this server, then exit')
    .option('--db <path>', 'database file (default: see FATHOM_SYNC_DB and the data directory)')
    .action(async (flags) => {
      const { mcpCommand } = await import('./commands/mcp.js');
      program.setOptionValue('exitCode', await mcpCommand(flags, context(flags)));
    });
  // --- end using the data ---

  // --- db (moving the database) ---
  const db = program
    .command('db')
    .description('move the database: copy a SQLite database into PostgreSQL')
    .action(() => {
      throw new UsageError('db needs a subcommand: copy --to postgres://USER@HOST/DATABASE (see fathom-sync db --help)');
    });
  db.command('copy')
    .description('copy the SQLite database (every account, all history) into PostgreSQL; resumable, verified row by row')
    .option('--to <url>', 'the PostgreSQL database: postgres://USER@HOST[:PORT]/DATABASE (password in ~/.pgpass or PGPASSWORD)')
    .option('--db <path>', 'the SQLite database to copy (default: see FATHOM_SYNC_DB and the data directory)')
    .option('--batch-size <rows>', 'about how many rows each transaction writes (default 1000)')
    .option('--json', 'print the result as one JSON object on stdout')
    .option('-q, --quiet', 'no progress output; errors and warnings only')
    .action(async (flags) => {
      const { dbCopyCommand } = await import('./commands/db.js');
      program.setOptionValue('exitCode', await dbCopyCommand(flags, context(flags)));
    });
  // --- end db ---

  // Every command is for one profile (Fathom account): before the command or after it.
  const PROFILE_HELP = 'the profile (Fathom account) to use (default: FATHOM_SYNC_PROFILE or "default")';
  program.option('--profile <name>', PROFILE_HELP);
  const withProfile = (command: Command): void => {
    if (!command.options.some((o) => o.long === '--profile')) command.option('--profile <name>', PROFILE_HELP);
    command.commands.forEach(withProfile);
  };
  program.commands.forEach(withProfile);

  return program;
}

export async function main(
  argv: string[],
  streams: Streams = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  stdin?: NodeJS.ReadStream,
): Promise<number> {
  const output = new OutputHost(streams);
  // A script that asked for JSON gets a JSON failure even when commander rejects the flags.
  if (argv.includes('--json')) output.configure({ json: true });
  const program = buildProgram(streams, output, stdin);
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return ExitCode.ok;
    }
    await program.parseAsync(argv);
    return (program.getOptionValue('exitCode') as number | undefined) ?? ExitCode.ok;
  } catch (err) {
    const error = fromCommander(err);
    return error === null ? ExitCode.ok : output.printError(error);
  }
}

/** commander's own errors (unknown option, missing argument) are usage errors like ours. */
function fromCommander(err: unknown): unknown {
  if (!(err instanceof CommanderError)) return err;
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return null;
  // `--key=VALUE` typed by mistake may carry a secret: never echo what follows the `=`.
  const message = err.message
    .replace(/^error:\s*/, '')
    .split('\n')[0]!
    .replace(/'(-[^'=\s]*)=[^']*'/g, "'$1=...'");
  return new UsageError(`${message} (see fathom-sync --help)`);
}
