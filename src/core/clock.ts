import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time, behind one interface so tests can drive it: every "now" and every wait in fathom-sync
 * comes from a Clock handed down from the application context.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (signal?.aborted) throw signal.reason;
    if (ms <= 0) return;
    try {
      await delay(ms, undefined, signal ? { signal } : undefined);
    } catch (err) {
      // timers/promises rejects with its own AbortError: the caller wants the signal's reason.
      if (signal?.aborted) throw signal.reason;
      throw err;
    }
  },
};
