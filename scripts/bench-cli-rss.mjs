// Runs the CLI exactly as bin/fathom-sync.js does, then reports the process's peak RSS
// (getrusage maxrss) on stderr, so the benchmark measures the real code path.
import { main } from '../dist/cli.js';

const code = await main(['node', 'fathom-sync', ...process.argv.slice(2)]);
process.stderr.write(`\nBENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
