import type { Rng } from './data/random.js';
import type { MeetingStore } from './data/store.js';

/** What the routes that create things (downloads, webhooks) take from the server. */
export interface RouteDeps {
  seed: number;
  store: MeetingStore;
  /** One id sequence per seed, shared by downloads and webhooks, so a replayed run gets the same ids. */
  ids: Rng;
  /** The server's time source (tests move it). */
  clock: () => number;
}
