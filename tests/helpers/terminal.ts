import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach } from 'vitest';
import { CLI, tempHome } from './cli.js';

/**
 * A real terminal for the CLI: a detached tmux session on a private server socket. The CLI runs
 * under `env -i` with exactly the variables given; the shell prints `EXIT=<code>` after it and
 * stays, so the screen can still be read.
 */

export class Terminal {
  readonly #socket = `fathom-sync-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.#socket, ...args], { encoding: 'utf8' });
  }

  /** The visible screen, wrapped lines joined. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J');
  }

  /** Waits (bounded: 10 s of 50 ms looks) until the screen shows `pattern`. */
  async waitFor(pattern: RegExp): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const text = this.screen();
      if (pattern.test(text)) return text;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the terminal never showed ${pattern}:\n${this.screen()}`);
  }

  start(args: string[], env: NodeJS.ProcessEnv, size = { columns: 220, rows: 50 }): void {
    const assignments = Object.entries(env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}='${v}'`);
    const command = `env -i ${assignments.join(' ')} '${process.execPath}' '${CLI}' ${args.join(' ')}; echo "EXIT=$?"; sleep 600`;
    this.tmux('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), command);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

/**
 * A fresh terminal and a throwaway FATHOM_SYNC_HOME for every test of the calling file, closed
 * and removed after it. Read `home` and `terminal` inside tests (they change per test).
 */
export function terminalPerTest(): { home: ReturnType<typeof tempHome>; terminal: Terminal } {
  const current = {} as { home: ReturnType<typeof tempHome>; terminal: Terminal };
  beforeEach(() => {
    current.home = tempHome();
    current.terminal = new Terminal();
  });
  afterEach(() => {
    current.terminal.close(); // a no-op without tmux (suites skipped through need('tmux'))
    current.home.cleanup();
  });
  return current;
}
