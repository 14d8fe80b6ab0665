// Test-only: a small static file server standing in for a CDN behind the registry's redirect middleware. It
// serves the registry's storage root with GET/HEAD and single Range requests, and records every request's path
// and whether it carried an Authorization header.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve, sep } from 'node:path';

export interface CdnRequestRecord {
  method: string;
  path: string;
  range: string | undefined;
  authorization: string | undefined;
  status: number;
}

export interface CdnServer {
  /** `http://127.0.0.1:<port>/` (with the trailing slash the redirect middleware wants) */
  baseUrl: string;
  host: string;
  requests: CdnRequestRecord[];
  /** Sets the folder served (the registry's storage root, known only after it started). */
  setRoot(root: string): void;
  stop(): Promise<void>;
}

export async function startCdn(): Promise<CdnServer> {
  let root: string | undefined;
  const requests: CdnRequestRecord[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    req.resume();
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const record: CdnRequestRecord = {
      method: req.method ?? '',
      path,
      range: req.headers.range,
      authorization: req.headers.authorization,
      status: 0,
    };
    requests.push(record);
    const reply = (status: number, headers: Record<string, string | number> = {}, body = ''): void => {
      record.status = status;
      res.writeHead(status, headers).end(body);
    };
    if (!root || (req.method !== 'GET' && req.method !== 'HEAD')) return reply(405);
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(resolve(root) + sep)) return reply(403);
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return reply(404);
      size = st.size;
    } catch {
      return reply(404);
    }
    let start = 0;
    let end = size - 1;
    let status = 200;
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    if (req.headers.range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range.trim());
      if (!m || (m[1] === '' && m[2] === '')) return reply(416, { 'content-range': `bytes */${size}` });
      if (m[1] === '') {
        start = Math.max(0, size - Number(m[2]));
      } else {
        start = Number(m[1]);
        if (m[2] !== '') end = Math.min(end, Number(m[2]));
      }
      if (start >= size || start > end) return reply(416, { 'content-range': `bytes */${size}` });
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['content-length'] = end - start + 1;
    record.status = status;
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    createReadStream(file, { start, end }).pipe(res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    host: `127.0.0.1:${port}`,
    requests,
    setRoot: (r) => {
      root = r;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
