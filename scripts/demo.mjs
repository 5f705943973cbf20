#!/usr/bin/env node
// `npm run demo`: a real sync with no Fathom account. Starts the bundled fake Fathom server on
// 127.0.0.1, runs the real CLI against it into ./.demo (never your real configuration), then
// shows where the data is and what to try next.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'fathom-sync.js');
const serverMain = path.join(root, 'dist', 'fake-server', 'main.js');
const home = path.join(root, '.demo');

if (!fs.existsSync(serverMain)) {
  console.error('demo: dist/ is missing; run `npm install` (or `npm run build`) first');
  process.exit(1);
}
fs.rmSync(home, { recursive: true, force: true });

const server = spawn(process.execPath, [serverMain, '--meetings', '250', '--seed', '7', '--latency', '60', '--now', new Date().toISOString()], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const stopServer = () => server.kill('SIGTERM');
process.on('exit', stopServer);

const firstLine = await new Promise((resolve, reject) => {
  const lines = readline.createInterface({ input: server.stdout });
  lines.once('line', resolve);
  server.once('exit', (code) => reject(new Error(`fake server exited (${code})`)));
});
const { url, apiKey, meetings } = JSON.parse(firstLine);

const env = {
  ...process.env,
  FATHOM_SYNC_HOME: home,
  FATHOM_API_URL: url,
  FATHOM_API_KEY: apiKey,
};
delete env.FATHOM_SYNC_DB;

console.error(`demo: fake Fathom at ${url} with ${meetings} meetings; home ${path.relative(process.cwd(), home) || home}\n`);
const step = (args) => {
  console.error(`$ fathom-sync ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { env, stdio: 'inherit' });
  console.error('');
  if (r.status !== 0) {
    stopServer();
    process.exit(r.status ?? 1);
  }
};
step(['run', '--all']);
step(['run', '--incremental']);
stopServer();

// What the data is for: searching every call, one meeting, the weeks at a glance.
const listed = spawnSync(process.execPath, [cli, 'list', '--limit', '20', '--json'], { env, encoding: 'utf8' });
// The newest meeting Fathom has finished (summary and transcript in), to show all of it.
const newest = JSON.parse(listed.stdout || '[]').find((m) => m.content_complete && m.has_transcript)?.recording_id;
step(['search', 'budget', 'quarter', '--limit', '3']);
if (newest !== undefined) step(['show', String(newest)]);
step(['stats', '--since', new Date(Date.now() - 28 * 24 * 3600 * 1000).toISOString().slice(0, 10)]);

const db = path.join(home, 'data', 'fathom-sync.db');
const demoHome = path.relative(process.cwd(), home) || home;
console.log(`Your demo database: ${db}

Things to try (FATHOM_SYNC_HOME=${demoHome} points the CLI at the demo):
  FATHOM_SYNC_HOME=${demoHome} node bin/fathom-sync.js search '"next quarter"' -budget
  FATHOM_SYNC_HOME=${demoHome} node bin/fathom-sync.js people --external
  FATHOM_SYNC_HOME=${demoHome} node bin/fathom-sync.js tasks --limit 5
  FATHOM_SYNC_HOME=${demoHome} node bin/fathom-sync.js export --out .demo/notes     # Markdown for Obsidian
  FATHOM_SYNC_HOME=${demoHome} node bin/fathom-sync.js log

With a real account (Fathom → Settings → API Access for a key):
  node bin/fathom-sync.js connect --api-key
  node bin/fathom-sync.js run --all
  node bin/fathom-sync.js install-cron`);
