import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { shellQuote } from '../../schedule/crontab-text.js';
import type { CheckFix, DoctorCheck } from '../types.js';

/** Whether a directory can be written, found by writing (permission bits lie to root and on ACLs). */
export type DirectoryProbe = { writable: true; exists: boolean } | { writable: false; blocker: string; code: string };

/**
 * Probes `dir` without creating it: an existing directory gets a temporary file; a missing one
 * is judged by its nearest existing ancestor, which is where it would be created.
 */
export function probeDirectory(dir: string): DirectoryProbe {
  let current = dir;
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(current);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      if (code !== 'ENOENT') return { writable: false, blocker: current, code };
    }
    if (stat) {
      if (!stat.isDirectory()) return { writable: false, blocker: current, code: 'ENOTDIR' };
      const probe = path.join(current, `.fathom-sync-doctor-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
      try {
        fs.closeSync(fs.openSync(probe, 'wx', 0o600));
        fs.rmSync(probe, { force: true });
        return { writable: true, exists: current === dir };
      } catch (err) {
        return { writable: false, blocker: current, code: (err as NodeJS.ErrnoException).code ?? 'EIO' };
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return { writable: false, blocker: current, code: 'ENOENT' };
    current = parent;
  }
}

function fixFor(blocker: string, code: string): CheckFix {
  if (code === 'ENOTDIR') {
    return { text: `${blocker} is a file where a directory should be; move it out of the way:`, commands: [`mv ${shellQuote(blocker)} ${shellQuote(`${blocker}.bak`)}`] };
  }
  if (code === 'EROFS') return { text: `${blocker} is on a read-only file system; set FATHOM_SYNC_HOME to a writable directory.`, commands: [] };
  return { text: `Make ${blocker} yours and writable:`, commands: [`sudo chown -R "$(id -un)" ${shellQuote(blocker)} && chmod u+rwx ${shellQuote(blocker)}`] };
}

export const directoriesCheck: DoctorCheck = {
  id: 'directories',
  title: 'Directories',
  async run(ctx) {
    const dirs: [string, string][] = [
      ['config', ctx.paths.configDir],
      ['data', path.dirname(ctx.paths.database)],
      ['state', ctx.paths.stateDir],
    ];
    const details: string[] = [];
    for (const [name, dir] of dirs) {
      const probe = probeDirectory(dir);
      if (!probe.writable) {
        return {
          status: 'failure',
          summary: `the ${name} directory ${dir} is not writable (${probe.code} at ${probe.blocker})`,
          details,
          fix: fixFor(probe.blocker, probe.code),
        };
      }
      details.push(`${name}: ${dir}${probe.exists ? '' : ' (created on first use)'}`);
    }
    return { status: 'ok', summary: 'config, data and state directories are writable', details };
  },
};
