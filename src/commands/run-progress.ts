import type { OutputHost as Output } from '../core/output.js';
import type { Clock } from '../core/clock.js';
import { formatDuration } from '../core/duration.js';
import type { HttpEvent } from '../api/http.js';
import type { PageReport, WindowReporter } from '../sync/reporter.js';
import type { SkippedItem } from '../api/schemas.js';

/**
 * Shows a sync's progress: a cli-progress bar on a terminal, one plain line per page
 * elsewhere (cron, pipes), nothing under --quiet. Warnings about skipped items always show.
 * `endKnown`: the window has a start or a count, so a percentage and an ETA mean something.
 */
export async function createProgressView(output: Output, opts: { limit: number | null; endKnown: boolean }, clock: Clock): Promise<WindowReporter> {
  if (output.quiet) return new PlainView(output, true);
  if (!output.interactive) return new PlainView(output, false);
  const { default: cliProgress } = await import('cli-progress');
  return new BarView(output, cliProgress, opts.limit, opts.endKnown, clock);
}

/** How far back the slices read to their end reach: a date, or the beginning (the last slice of --all is open-ended). */
function backTo(r: PageReport): string {
  return r.doneTo === null ? 'the beginning' : r.doneTo.slice(0, 10);
}

class PlainView implements WindowReporter {
  constructor(
    private readonly output: Output,
    private readonly quiet: boolean,
  ) {}
  page(r: PageReport): void {
    if (this.quiet) return;
    const c = r.counters;
    const pct = r.fraction === null ? '' : ` · ${Math.round(r.fraction * 100)}%`;
    const slices = r.slicesDone === 0 ? '' : ` · ${r.slicesDone} ${r.slicesDone === 1 ? 'slice' : 'slices'} done, back to ${backTo(r)}`;
    this.output.info(`page ${c.pages}: ${c.meetingsSeen} meetings (${c.meetingsNew} new, ${c.meetingsUpdated} updated)${slices}${pct}`);
  }
  skipped(item: SkippedItem): void {
    this.output.warn(`skipped recording ${item.recordingId ?? '(no id)'}: ${item.reason}`);
  }
  fetchingContent(): void {}
  httpEvent(e: HttpEvent): void {
    if (this.quiet) return;
    if (e.type === 'rate-wait') {
      if (e.ms >= 1000 || e.reason === '429') {
        this.output.info(`waiting ${formatDuration(e.ms)} for the Fathom rate limit${e.reason === '429' ? ' (429 received)' : ''}`);
      }
    } else {
      this.output.info(`retrying in ${formatDuration(e.ms)} (${e.reason}, attempt ${e.attempt})`);
    }
  }
  stop(): void {}
}

type CliProgress = typeof import('cli-progress');

class BarView implements WindowReporter {
  readonly #bar: import('cli-progress').SingleBar;
  readonly #limit: number | null;
  readonly #endKnown: boolean;
  #status = '';
  #last: PageReport | null = null;
  #waitTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly output: Output,
    cliProgress: CliProgress,
    limit: number | null,
    endKnown: boolean,
    private readonly clock: Clock,
  ) {
    this.#limit = limit;
    this.#endKnown = endKnown;
    const counts = '{meetings} meetings ({new} new, {updated} updated) | {pages} pages {status}';
    this.#bar = new cliProgress.SingleBar(
      {
        stream: output.streams.stderr,
        // --all has no known end (Fathom gives no total): how far back its slices read to the end
        // have reached, and the counts, never a made-up percentage.
        format: endKnown ? ` {bar} {percentage}% | ETA {eta_formatted} | ${counts}` : ` syncing all meetings | {slices} slices done, back to {back} | ${counts}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(limit ?? 100, 0, { meetings: 0, new: 0, updated: 0, pages: 0, slices: 0, back: '...', status: '' });
  }

  #payload(): object {
    const r = this.#last;
    return {
      meetings: r?.counters.meetingsSeen ?? 0,
      new: r?.counters.meetingsNew ?? 0,
      updated: r?.counters.meetingsUpdated ?? 0,
      pages: r?.counters.pages ?? 0,
      slices: r?.slicesDone ?? 0,
      back: r && r.slicesDone > 0 ? backTo(r) : '...',
      status: this.#status,
    };
  }

  page(r: PageReport): void {
    this.#last = r;
    this.#status = '';
    let value: number;
    if (this.#limit !== null) value = Math.min(r.counters.meetingsSeen, this.#limit);
    else if (r.fraction !== null) value = Math.round(r.fraction * 100);
    // Before a slice is read to its end nothing is known (pages come in no order): 0, not a guess.
    else if (this.#endKnown) value = 0;
    else value = Math.min(99, r.counters.pages); // no known end (--all): not shown, the counts are
    this.#bar.update(value, this.#payload());
  }
  skipped(item: SkippedItem): void {
    this.#bar.stop();
    this.output.warn(`skipped recording ${item.recordingId ?? '(no id)'}: ${item.reason}`);
    this.#bar.start(this.#bar.getTotal(), this.#last ? this.#bar.getProgress() * this.#bar.getTotal() : 0, this.#payload());
  }
  fetchingContent(recordingId: number): void {
    this.#status = `| fetching transcript ${recordingId}`;
    this.#bar.update(this.#payload());
  }
  httpEvent(e: HttpEvent): void {
    if (e.type === 'rate-wait') {
      if (e.ms < 500) return;
      // The countdown redraws on its own timer; the time left comes from the clock.
      const until = this.clock.now() + e.ms;
      const show = () => {
        const left = until - this.clock.now();
        this.#status = left > 0 ? `| waiting ${formatDuration(left)} for rate limit` : '';
        this.#bar.update(this.#payload());
      };
      clearInterval(this.#waitTimer);
      this.#waitTimer = setInterval(() => {
        show();
        if (until <= this.clock.now()) clearInterval(this.#waitTimer);
      }, 1000);
      this.#waitTimer.unref();
      show();
    } else {
      this.#status = `| retry ${e.attempt} in ${formatDuration(e.ms)} (${e.reason})`;
      this.#bar.update(this.#payload());
    }
  }
  stop(): void {
    clearInterval(this.#waitTimer);
    this.#status = '';
    this.#bar.update(this.#bar.getTotal(), this.#payload());
    this.#bar.stop();
  }
}
