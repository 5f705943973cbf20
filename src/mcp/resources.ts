import { ResourceNotFoundError, ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { storedMeetingMarkdown } from '../export/export-meetings.js';
import { toolErrorText, type OpenReader } from './tool-kit.js';

/**
 * Each meeting as a resource, `fathom://meetings/{recording_id}`: the Markdown file `export`
 * writes (front matter, summary, action items, talk time, transcript), for clients that let a
 * person attach a meeting to a conversation. The listing offers the most recent meetings.
 */

export const MEETING_URI = 'fathom://meetings/{recording_id}';
const LISTED = 200;

export const meetingUri = (id: number) => `fathom://meetings/${id}`;

export function registerMeetingResource(server: McpServer, openReader: OpenReader): void {
  const template = new ResourceTemplate(MEETING_URI, {
    list: async () => {
      let reader;
      try {
        reader = await openReader();
      } catch {
        return { resources: [] }; // nothing synced yet: nothing to browse
      }
      const meetings = reader.listMeetings({}, LISTED);
      return {
          resources: meetings.map((m) => ({
            uri: meetingUri(m.recording_id),
            name: `${m.created_at.slice(0, 10)} ${m.title ?? '(untitled)'}`,
            title: m.title ?? '(untitled)',
            description: [m.duration_seconds === null ? null : `${Math.round(m.duration_seconds / 60)} min`, m.external_domains.join(', ') || 'internal', `recording_id ${m.recording_id}`].filter(Boolean).join(' · '),
            mimeType: 'text/markdown',
          })),
      };
    },
  });
  server.registerResource(
    'meeting',
    template,
    { title: 'A Fathom meeting', description: 'One meeting as Markdown: attendees, summary, action items, talk time and the transcript', mimeType: 'text/markdown' },
    async (uri, variables) => {
      const raw = Array.isArray(variables.recording_id) ? variables.recording_id[0] : variables.recording_id;
      let reader;
      try {
        reader = await openReader();
      } catch (err) {
        throw new Error(toolErrorText(err));
      }
      const id = /^\d+$/.test(raw ?? '') ? Number(raw) : null;
      const stored = id === null ? null : reader.meetingPayloads({ ids: [id] }).next().value;
      if (!stored) throw new ResourceNotFoundError(uri.href, `No meeting ${raw} in the database: find its recording_id with search_meetings or list_meetings.`);
      const text = storedMeetingMarkdown(stored.raw_json, reader.talkTime(stored.recording_id));
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
    },
  );
}
