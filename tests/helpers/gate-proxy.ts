import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the fake Fathom server that holds each request for a meetings page
 * until the test lets one through, so a test knows exactly how far a sync has got (and that it is
 * still running) without waiting on the clock. Other requests pass straight through.
 */
export interface GateProxy {
  /** Base URL to give the CLI as FATHOM_API_URL. */
  url: string;
  /** Lets the next held (or the next arriving) meetings-page request through. */
  release(): void;
  /** How many meetings-page requests have been let through so far. */
  released(): number;
  /** Resolves once `count` gated requests have arrived in all (held or let through). */
  arrived(count: number): Promise<void>;
  /** Lets every held request through, and every later one. */
  open(): void;
  close(): Promise<void>;
}

export async function startGateProxy(target: string, isGated: (pathname: string) => boolean): Promise<GateProxy> {
  const upstream = new URL(target);
  let permits = 0;
  let passed = 0;
  let arrivals = 0;
  let opened = false;
  const waiting: (() => void)[] = [];
  const watchers: { count: number; resolve: () => void }[] = [];
  const admit = (): Promise<void> =>
    new Promise((resolve) => {
      arrivals += 1;
      for (const w of watchers.filter((x) => x.count <= arrivals)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
      if (opened) {
        passed += 1;
        resolve();
      } else if (permits > 0) {
        permits -= 1;
        passed += 1;
        resolve();
      } else {
        waiting.push(() => {
          passed += 1;
          resolve();
        });
      }
    });
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const forward = () => {
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    if (isGated(pathname)) void admit().then(forward);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`,
    release() {
      const next = waiting.shift();
      if (next) next();
      else permits += 1;
    },
    released: () => passed,
    arrived: (count) =>
      new Promise<void>((resolve) => {
        if (arrivals >= count) resolve();
        else watchers.push({ count, resolve });
      }),
    open() {
      opened = true;
      for (const next of waiting.splice(0)) next();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const next of waiting.splice(0)) next();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
