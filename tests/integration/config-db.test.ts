import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dbPath, runCli, tempHome } from '../helpers/cli.js';

/** `config set-db` / `unset-db`: the saved database of every command that names none. */

let home: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  home = tempHome();
  env = { ...home.baseEnv };
});
afterEach(() => home.cleanup());

const configFile = () => path.join(env.FATHOM_SYNC_HOME!, 'config', 'config.json');
const saved = () => (fs.existsSync(configFile()) ? (JSON.parse(fs.readFileSync(configFile(), 'utf8')) as { database?: string }).database : undefined);

describe('config set-db', () => {
  it('refuses a connection string with a password, saving nothing, and never prints it', async () => {
    const r = await runCli(['config', 'set-db', 'postgres://sync:hunter2@127.0.0.1:1/fathom'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fathom-sync: the connection string carries a password, which would be written down in plain text; nothing was changed$/m);
    expect(r.stderr + r.stdout).not.toContain('hunter2');
    expect(saved()).toBeUndefined();
  });

  it('saves a connection string; status then reports that target; unset-db goes back to the file', async () => {
    const url = 'postgres://sync@127.0.0.1:1/fathom';
    const set = await runCli(['config', 'set-db', url, '--json'], env);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ database: url, kind: 'postgresql' });
    expect(saved()).toBe(url);
    const status = await runCli(['status', '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ database: url, database_kind: 'postgresql', database_reachable: false });
    // --db still wins for one command.
    expect(JSON.parse((await runCli(['status', '--json', '--db', path.join(home.home, 'x.db')], env)).stdout)).toMatchObject({ database_kind: 'sqlite', database: path.join(home.home, 'x.db') });

    const unset = await runCli(['config', 'unset-db'], env);
    expect(unset.code).toBe(0);
    expect(unset.stdout).toBe(`The database is the default file again: ${dbPath(env)}.\n`);
    expect(saved()).toBeUndefined();
    expect(JSON.parse((await runCli(['status', '--json'], env)).stdout)).toMatchObject({ database_kind: 'sqlite', database: dbPath(env) });
  });

  it('saves a file as an absolute path', async () => {
    const r = await runCli(['config', 'set-db', 'meetings.db'], env, { cwd: home.home });
    expect(r.code, r.stderr).toBe(0);
    expect(saved()).toBe(path.join(home.home, 'meetings.db'));
    expect(r.stdout).toMatch(/^The database is now .*meetings\.db, for every command without --db or FATHOM_SYNC_DB/);
  });
});
