import type http from 'node:http';

/**
 * What a route answers. Routes return a value instead of writing to the socket so the pipeline
 * can still add rate-limit headers, wait out latency, or truncate the body for a fault.
 */
export interface Reply {
  status: number;
  body?: unknown;
  /** The body already serialised (UTF-8 JSON); wins over `body`. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** Fathom's error shape, `{"error": "..."}`. A new object each time: the pipeline adds headers to it. */
export function errorReply(status: number, message: string): Reply {
  return { status, body: { error: message } };
}

export function badRequest(message: string): Reply {
  return errorReply(400, message);
}

const EMPTY = Buffer.alloc(0);

export function replyBytes(reply: Reply): Buffer {
  if (reply.raw) return reply.raw;
  return reply.body === undefined ? EMPTY : Buffer.from(JSON.stringify(reply.body));
}

export function writeReply(res: http.ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const buf = replyBytes(reply);
  const headers: Record<string, string | number> = { ...reply.headers, 'content-length': buf.length };
  if (reply.body !== undefined || reply.raw !== undefined) headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers);
  res.end(buf);
}
