import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A real Secret Service for keychain tests: a private D-Bus session bus (dbus-daemon) and an
 * unlocked gnome-keyring-daemon on it, with a throwaway HOME so the test never touches the
 * user's keyring. Suites using it ask need('secret-service') (./capabilities.ts); the test command
 * (scripts/test.mjs) installs gnome-keyring and dbus. See ../shared/notes/dependencies.md.
 *
 * Pass `env` to the CLI: DBUS_SESSION_BUS_ADDRESS points at the private bus, HOME at the
 * throwaway directory where gnome-keyring keeps its (encrypted) keyring files.
 */
export interface SecretService {
  env: { DBUS_SESSION_BUS_ADDRESS: string; HOME: string };
  home: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);

export async function startSecretService(): Promise<SecretService> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fathom-sync-keyring-'));
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' };
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    fs.rmSync(home, { recursive: true, force: true });
  };
  try {
    // --nofork: the daemon stays our child, so stop() can end exactly it.
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { env: baseEnv, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(bus);
    const address = (await firstLine(bus, (line) => line.startsWith('unix:'), 'dbus-daemon')).trim();
    const env = { ...baseEnv, DBUS_SESSION_BUS_ADDRESS: address };

    // --unlock reads the login keyring's password on stdin and creates it unlocked.
    const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(keyring);
    keyring.stdin!.end('test-keyring-password');
    await firstLine(keyring, (line) => line.startsWith('GNOME_KEYRING_CONTROL='), 'gnome-keyring-daemon');
    await waitForBusName(env, 'org.freedesktop.secrets');
    return { env: { DBUS_SESSION_BUS_ADDRESS: address, HOME: home }, home, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves with the first stdout line that `match` accepts (the daemon's "I am ready" line). */
function firstLine(child: ChildProcess, match: (line: string) => boolean, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 10 s`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (const line of buffer.split('\n')) {
        if (match(line)) {
          clearTimeout(timer);
          resolve(line);
          return;
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Asks the bus whether the name has an owner, until it has (bounded). */
async function waitForBusName(env: NodeJS.ProcessEnv, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { stdout } = await run(
      'dbus-send',
      ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`],
      { env },
    );
    if (/boolean true/.test(stdout)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} never appeared on the private bus`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
