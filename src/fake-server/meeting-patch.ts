import type { MeetingStore } from './data/store.js';
import { CONTENT_KEYS, type FullMeeting } from './data/types.js';

/**
 * Applies a test's edit to one meeting. Content fields (transcript, summary, ...) are generated on
 * demand, so edits to them are kept as overrides; the rest is written into the stored base.
 */
export function applyMeetingPatch(store: MeetingStore, recordingId: number, patch: Partial<FullMeeting>): void {
  const sk = store.require(recordingId);
  const base = sk.base as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'recording_id') {
      if (value !== recordingId) throw new Error('fake-server: recording_id cannot be changed');
      continue;
    }
    if ((CONTENT_KEYS as readonly string[]).includes(key)) {
      sk.overrides ??= {};
      (sk.overrides as Record<string, unknown>)[key] = structuredClone(value);
    } else {
      base[key] = structuredClone(value);
    }
  }
  // Derived fields follow what they derive from, unless the patch sets them too.
  if (patch.calendar_invitees && !patch.calendar_invitees_domains_type) {
    sk.base.calendar_invitees_domains_type = sk.base.calendar_invitees.some((i) => i.is_external) ? 'one_or_more_external' : 'only_internal';
  }
  if (patch.created_at !== undefined) {
    const ms = Date.parse(patch.created_at);
    if (Number.isNaN(ms)) throw new Error(`fake-server: created_at "${patch.created_at}" is not a date-time`);
    sk.createdSec = Math.floor(ms / 1000);
  }
  // Every order's keyset depends on some listing field (created_at, recording start, recorder).
  store.touch();
}
