#!/usr/bin/env node
/**
 * Runs the fake Fathom server as a process (demo, benchmark, manual poking):
 *
 *   node dist/fake-server/main.js [flags]      (--help lists them: USAGE in cli-args.ts)
 *
 * Prints one JSON line `{"url","apiKey","meetings"[,"oauth"]}` once listening; SIGTERM/SIGINT
 * close it cleanly (exit 0). --help / -h prints the usage on stdout (exit 0). A bad flag: one
 * line on stderr, exit 2.
 */
import { USAGE, parseCli } from './cli-args.js';
import { startFakeFathom } from './server.js';
import { installFakeOAuth } from './oauth.js';

async function main(): Promise<void> {
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`fake-server: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (cli.help) {
    process.stdout.write(USAGE);
    return;
  }
  let server;
  try {
    server = await startFakeFathom(cli.options);
  } catch (err) {
    process.stderr.write(`fake-server: cannot listen: ${(err as Error).message}\n`);
    process.exit(1);
  }
  server.injectFaults(...cli.faults);
  const oauth = cli.oauth ? installFakeOAuth(server, cli.oauth) : null;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const ready: Record<string, unknown> = { url: server.url, apiKey: cli.apiKey, meetings: server.meetingCount() };
  if (oauth) {
    // A fake app's credentials: printing them is the point (connect reads them from the environment).
    ready.oauth = { authorizeUrl: oauth.authorizeUrl, tokenUrl: oauth.tokenUrl, clientId: oauth.clientId, clientSecret: oauth.clientSecret };
  }
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

await main();
