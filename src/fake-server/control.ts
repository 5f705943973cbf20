import type { FaultSpec } from './faults.js';
import { errorReply, type Reply } from './reply.js';
import type { FakeFathom } from './types.js';

/** The part of the server the control routes drive. */
export type ControlTarget = Pick<FakeFathom, 'stats' | 'resetStats' | 'injectFaults' | 'clearFaults' | 'addMeetings' | 'completeContent'>;

/**
 * /__fake/* : the FakeFathom methods over HTTP, for a server running in another process (the
 * bench, the demo, CLI tests). No auth: the fake only listens on loopback.
 */
export function controlReply(target: ControlTarget, method: string, pathname: string, body: Buffer): Reply {
  const json = (): unknown => {
    const text = body.toString('utf8');
    return text ? JSON.parse(text) : {};
  };
  try {
    if (method === 'GET' && pathname === '/__fake/stats') return { status: 200, body: target.stats() };
    if (method === 'POST' && pathname === '/__fake/reset-stats') {
      target.resetStats();
      return { status: 204 };
    }
    if (method === 'POST' && pathname === '/__fake/faults') {
      const v = json();
      target.injectFaults(...((Array.isArray(v) ? v : [v]) as FaultSpec[]));
      return { status: 204 };
    }
    if (method === 'DELETE' && pathname === '/__fake/faults') {
      target.clearFaults();
      return { status: 204 };
    }
    if (method === 'POST' && pathname === '/__fake/meetings') {
      const v = json() as { count?: number; pending?: boolean };
      const added = target.addMeetings(v.count ?? 1, { pending: v.pending ?? false });
      return { status: 201, body: { recording_ids: added.map((m) => m.recording_id) } };
    }
    const m = /^\/__fake\/meetings\/(\d+)\/complete$/.exec(pathname);
    if (method === 'POST' && m) {
      target.completeContent(Number(m[1]));
      return { status: 204 };
    }
  } catch (err) {
    return errorReply(400, (err as Error).message);
  }
  return errorReply(404, 'Not found');
}
