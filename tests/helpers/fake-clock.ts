import type { Clock } from '../../src/core/clock.js';

/** A clock tests drive by hand: sleep() advances time instantly and records the wait. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}
