/** The filters of `run` (passed to Fathom's API as they are). */
export interface SyncFilters {
  recordedBy?: string[];
  teams?: string[];
  calendarInviteesDomains?: string[];
  calendarInviteesDomainsType?: 'all' | 'only_internal' | 'one_or_more_external';
  meetingType?: string;
}

/**
 * A filtered run reads only part of each stretch of time, so it can never say "everything up to
 * here is stored": it moves neither the bookmark nor a pending backfill.
 */
export function isFiltered(f: SyncFilters): boolean {
  return Boolean(
    f.recordedBy?.length ||
      f.teams?.length ||
      f.calendarInviteesDomains?.length ||
      (f.calendarInviteesDomainsType && f.calendarInviteesDomainsType !== 'all') ||
      f.meetingType,
  );
}
