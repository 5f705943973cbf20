/**
 * The server's pending waits (latency). close() ends them all at once, so closing never waits
 * for a slow answer, and waits asked for after close return at once.
 */
export class Sleeps {
  readonly #pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  #stopped = false;

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#pending.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.#pending.add(entry);
    });
  }

  stopAll(): void {
    this.#stopped = true;
    for (const s of this.#pending) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.#pending.clear();
  }
}
