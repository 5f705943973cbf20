import { setTimeout as delay } from 'node:timers/promises';

/** Time, behind an interface so tests can drive it. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0) return;
    await delay(ms, undefined, signal ? { signal } : undefined);
  },
};

/**
 * The clock a command uses. FATHOM_SYNC_NOW pins "now" (ISO date-time) for the date
 * windows only, so tests can say "the last 30 days" about generated data; waits and
 * timings always use real time.
 */
export function windowNow(env: NodeJS.ProcessEnv = process.env): number {
  const pinned = env.FATHOM_SYNC_NOW;
  if (pinned) {
    const t = Date.parse(pinned);
    if (!Number.isNaN(t)) return t;
  }
  return Date.now();
}
