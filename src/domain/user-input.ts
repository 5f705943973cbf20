import { UsageError } from '../core/errors.js';
import { DAY_MS, toIso } from './time.js';

/** Values people type (flags, MCP tool arguments): --since, --until, --last, --lookback, --limit. Each problem is a UsageError. */

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Date.parse rolls 2026-02-30 over into March; a date the calendar lacks is an error instead. */
function isCalendarDate(ymd: string): boolean {
  const ms = Date.parse(`${ymd}T00:00:00Z`);
  return !Number.isNaN(ms) && toIso(ms).slice(0, 10) === ymd;
}

/**
 * Parses --since/--until. A date alone is a whole UTC day: --since starts at its first
 * millisecond, --until ends at its last. A date-time without a zone is UTC.
 */
export function parseDateArg(value: string, which: 'since' | 'until'): number {
  const v = value.trim();
  let ms: number;
  if (DATE_ONLY.test(v)) {
    ms = isCalendarDate(v) ? Date.parse(`${v}T00:00:00Z`) : NaN;
    if (which === 'until' && !Number.isNaN(ms)) ms += DAY_MS - 1;
  } else if (DATE_TIME.test(v) && isCalendarDate(v.slice(0, 10))) {
    const normalized = v.replace(' ', 'T');
    ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(normalized) ? normalized : `${normalized}Z`);
  } else {
    ms = NaN;
  }
  if (Number.isNaN(ms)) {
    throw new UsageError(`--${which} "${value}" is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)`);
  }
  return ms;
}

export function parsePositiveInt(value: string, flag: string, min = 1): number {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`${flag} "${value}" must be a whole number of at least ${min}`);
  }
  return Number(v);
}
