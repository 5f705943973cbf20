/**
 * Resolves once `check` answers true, looking again every few milliseconds: for a state another
 * process reaches (a database row, a lock, a server connection) that no event announces. Not a
 * sleep standing in for synchronisation: it waits for the state itself, and fails saying what it
 * waited for when the state does not come.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`waited ${options.timeoutMs ?? 30_000} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 10));
  }
}
