import crypto from 'node:crypto';
import { isoSeconds } from './data/format.js';
import { recordingSummary, recordingTranscriptJson } from './data/serialize.js';
import type { Skeleton } from './data/skeleton.js';
import { badRequest, errorReply, type Reply } from './reply.js';
import { JSON_BODY_ERROR, isHttpUrl } from './request.js';
import type { RouteDeps } from './route-deps.js';

/** How long a download link lives, as Fathom's signed media URLs do. */
const DOWNLOAD_TTL_S = 86_400;
/** Bytes per second of video, to give file_size_bytes a plausible size. */
const VIDEO_BYTES_PER_SECOND = 180_000;

interface Download {
  recordingId: number;
  /** Downloads are private to the API client that created them. */
  credential: string;
  polls: number;
  createdAt: number;
}

/** /recordings/{id}/summary, /transcript, /download and /downloads/{download_id}. */
export class RecordingRoutes {
  readonly #deps: RouteDeps;
  readonly #downloads = new Map<string, Download>();

  constructor(deps: RouteDeps) {
    this.#deps = deps;
  }

  /**
   * A pending meeting (content not processed yet) answers 200 with `{"summary": null}` /
   * `{"transcript": null}`: the recording exists, its content does not yet. That matches what
   * /meetings shows for it, and a client must treat it as "try again later", not as an error.
   */
  content(query: URLSearchParams, rawId: string, which: 'summary' | 'transcript'): Reply {
    const found = this.#find(rawId);
    if (!('base' in found)) return found;
    const dest = query.get('destination_url');
    if (dest !== null) {
      if (!isHttpUrl(dest)) return badRequest('destination_url must be a valid URL');
      // Async mode: Fathom would POST the content there later; the fake only acknowledges.
      return { status: 200, body: { destination_url: dest } };
    }
    if (which === 'summary') return { status: 200, body: { summary: recordingSummary(this.#deps.seed, found) } };
    return { status: 200, raw: recordingTranscriptJson(this.#deps.seed, found) };
  }

  createDownload(body: Buffer, credential: string, rawId: string): Reply {
    const found = this.#find(rawId);
    if (!('base' in found)) return found;
    if (body.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return badRequest(JSON_BODY_ERROR);
      }
      const dest = (parsed as { destination_url?: unknown } | null)?.destination_url;
      if (dest !== undefined && !isHttpUrl(dest)) return badRequest('destination_url must be a valid URL');
    }
    const id = `dl_${this.#deps.ids.token(30)}`;
    this.#downloads.set(id, { recordingId: found.base.recording_id, credential, polls: 0, createdAt: this.#deps.clock() });
    return { status: 202, body: { download_id: id, recording_id: found.base.recording_id, status: 'processing' } };
  }

  /** Completed on the first poll: the fake has no video to prepare. */
  getDownload(credential: string, rawId: string, downloadId: string): Reply {
    const found = this.#find(rawId);
    if (!('base' in found)) return found;
    const dl = this.#downloads.get(downloadId);
    if (!dl || dl.recordingId !== found.base.recording_id || dl.credential !== credential) return errorReply(404, 'Download not found');
    dl.polls += 1;
    const durationS = Date.parse(found.base.recording_end_time) / 1000 - Date.parse(found.base.recording_start_time) / 1000;
    return {
      status: 200,
      body: {
        download_id: downloadId,
        recording_id: dl.recordingId,
        status: 'completed',
        video: {
          url: `https://media.fathom.ai/downloads/${downloadId}.mp4?X-Amz-Expires=${DOWNLOAD_TTL_S}&X-Amz-Signature=${crypto.createHash('sha256').update(downloadId).digest('hex').slice(0, 32)}`,
          content_type: 'video/mp4',
          file_size_bytes: Math.round(durationS * VIDEO_BYTES_PER_SECOND),
          expires_at: isoSeconds(Math.floor(dl.createdAt / 1000) + DOWNLOAD_TTL_S),
        },
      },
    };
  }

  #find(rawId: string): Skeleton | Reply {
    // The spec's recording_id is any integer: a negative or a long one is well-formed (and not found here).
    if (!/^-?\d+$/.test(rawId)) return badRequest('recording_id must be an integer');
    const id = Number(rawId);
    return (Number.isSafeInteger(id) ? this.#deps.store.get(id) : undefined) ?? errorReply(404, 'Recording not found');
  }
}
