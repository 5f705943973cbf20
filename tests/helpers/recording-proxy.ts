import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy on 127.0.0.1 between the CLI and a server (Prism): it records every
 * exchange (request, status, headers and body as the CLI received it), so a test can count
 * what the server served and compare it with what the CLI stored. It may add request headers
 * (Prism's `Prefer`) and rewrite JSON answers (to make a cursor chain endless, for instance).
 */

export interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  requestHeaders: http.IncomingHttpHeaders;
  status: number;
  responseHeaders: Record<string, string>;
  /** The body the CLI received (after any rewrite). */
  body: string;
  /** Parsed `body`, when it is JSON. */
  json: unknown;
}

export interface RecordingProxyOptions {
  /** Added to every forwarded request. */
  requestHeaders?: Record<string, string>;
  /** Called with each JSON answer; a value it returns replaces the body. */
  rewrite?: (exchange: { method: string; path: string; query: URLSearchParams; status: number; json: unknown }) => unknown;
}

export interface RecordingProxy {
  url: string;
  exchanges: Exchange[];
  options: RecordingProxyOptions;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

export async function startRecordingProxy(target: string, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const exchanges: Exchange[] = [];
  const base = target.replace(/\/+$/, '');
  const proxy: RecordingProxy = { url: '', exchanges, options, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && typeof v === 'string') headers[k] = v;
        Object.assign(headers, proxy.options.requestHeaders);
        const method = req.method ?? 'GET';
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const upstream = await fetch(`${base}${url.pathname}${url.search}`, { method, headers, body, redirect: 'manual' });
        let text = await upstream.text();
        let json: unknown;
        try {
          json = text.length ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        if (json !== undefined && proxy.options.rewrite) {
          const replaced = proxy.options.rewrite({ method, path: url.pathname, query: url.searchParams, status: upstream.status, json });
          if (replaced !== undefined) {
            json = replaced;
            text = JSON.stringify(replaced);
          }
        }
        const responseHeaders: Record<string, string> = {};
        upstream.headers.forEach((v, k) => {
          if (!HOP_BY_HOP.has(k)) responseHeaders[k] = v;
        });
        exchanges.push({ method, path: url.pathname, query: url.searchParams, requestHeaders: req.headers, status: upstream.status, responseHeaders, body: text, json });
        const out = Buffer.from(text);
        res.writeHead(upstream.status, { ...responseHeaders, 'content-length': out.length });
        res.end(out);
      })().catch((err: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`recording proxy: ${(err as Error).message}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}
