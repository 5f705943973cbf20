/**
 * What a run counts. One shape for the run in progress (saved with every page), its result, the
 * progress shown, the JSON printed and the sync_runs row (whose columns, like the JSON fields, are
 * the snake_case names below).
 */
export interface RunCounters {
  pages: number;
  requests: number;
  retries: number;
  rateLimited: number;
  meetingsSeen: number;
  meetingsNew: number;
  meetingsUpdated: number;
  itemsSkipped: number;
}

export function zeroCounters(): RunCounters {
  return { pages: 0, requests: 0, retries: 0, rateLimited: 0, meetingsSeen: 0, meetingsNew: 0, meetingsUpdated: 0, itemsSkipped: 0 };
}

/** The counters once a page's meetings are written: new and updated ones added. */
export function withWritten(counters: RunCounters, written: { new: number; updated: number }): RunCounters {
  return { ...counters, meetingsNew: counters.meetingsNew + written.new, meetingsUpdated: counters.meetingsUpdated + written.updated };
}

/** The counters under their column and JSON names, in the order `run --json` and `log --json` print them. */
export interface CounterFields {
  meetings_seen: number;
  meetings_new: number;
  meetings_updated: number;
  items_skipped: number;
  pages: number;
  requests: number;
  retries: number;
  rate_limited: number;
}

export function toCounterFields(c: RunCounters): CounterFields {
  return {
    meetings_seen: c.meetingsSeen,
    meetings_new: c.meetingsNew,
    meetings_updated: c.meetingsUpdated,
    items_skipped: c.itemsSkipped,
    pages: c.pages,
    requests: c.requests,
    retries: c.retries,
    rate_limited: c.rateLimited,
  };
}

export function fromCounterFields(f: CounterFields): RunCounters {
  return {
    pages: f.pages,
    requests: f.requests,
    retries: f.retries,
    rateLimited: f.rate_limited,
    meetingsSeen: f.meetings_seen,
    meetingsNew: f.meetings_new,
    meetingsUpdated: f.meetings_updated,
    itemsSkipped: f.items_skipped,
  };
}
