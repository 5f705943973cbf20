/** Small hand-written Meeting payloads for unit tests (integration tests use the fake server). */
export function meetingPayload(id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: `Meeting ${id}`,
    meeting_title: `Calendar ${id}`,
    meeting_type: null,
    recording_id: id,
    url: `https://fathom.video/calls/${id + 5}`,
    share_url: `https://fathom.video/share/x${id}`,
    meeting_url: null,
    created_at: '2026-11-01T10:00:00Z',
    scheduled_start_time: null,
    scheduled_end_time: null,
    recording_start_time: '2026-11-01T09:00:00Z',
    recording_end_time: '2026-11-01T09:30:00Z',
    calendar_invitees_domains_type: 'one_or_more_external',
    shared_with: 'no_teams',
    transcript_language: 'en',
    calendar_invitees: [
      { name: 'Zoë Ångström', email: 'zoe@client.example', email_domain: 'client.example', is_external: true },
      { name: null, email: 'me@acme.example', email_domain: 'acme.example', is_external: false },
    ],
    recorded_by: { name: 'Me', email: 'me@acme.example', email_domain: 'acme.example', team: null },
    transcript: [
      { speaker: { display_name: 'Zoë Ångström', matched_calendar_invitee_email: 'zoe@client.example' }, text: 'Bonjour, ça va?', timestamp: '00:00:05' },
      { speaker: { display_name: 'Me' }, text: 'Let us talk budgets 💸', timestamp: '01:02:03' },
    ],
    default_summary: { template_name: 'general', markdown_formatted: '## Summary\nBudgets.' },
    action_items: [
      {
        description: 'Send proposal',
        user_generated: false,
        completed: false,
        recording_timestamp: '00:10:45',
        recording_playback_url: `https://fathom.video/calls/${id}?timestamp=645`,
        assignee: { name: 'Me', email: 'me@acme.example', team: null },
      },
    ],
    highlights: [{ type: 'Objection', summary: 'Price', start_time: 16, end_time: 27.5 }],
    crm_matches: { error: 'no CRM connected' },
    ...overrides,
  };
}
