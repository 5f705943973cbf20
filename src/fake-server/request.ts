import type http from 'node:http';
import type { QueuedFault } from './faults.js';

/** How a request presented itself (by its headers), before its credential is checked. */
export type AuthKind = 'api_key' | 'bearer' | 'none';

/** One API request as the routes see it, after the pipeline has read, classified and authenticated it. */
export interface ApiRequest {
  method: string;
  /** Pathname after /external/v1. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
  auth: AuthKind;
  /** Which API client this is ('key:…' or 'bearer:…'): rate windows and downloads are per client. */
  credential: string;
  /** Counts against the heavy rate window too (see isHeavyRequest). */
  heavy: boolean;
  /** An injected fault that alters the normal answer (latency, truncate, invalid-item). */
  fault: QueuedFault | null;
}

/** Shared by every route that takes a JSON body. */
export const JSON_BODY_ERROR = 'Request body must be a JSON object';

/** Bodies are kept up to this size; the rest is read and dropped so a runaway client cannot fill memory. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

/** A destination_url Fathom would accept: an absolute http(s) URL. */
export function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
