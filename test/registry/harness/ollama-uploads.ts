// Test-only: a registry that takes uploads the way Ollama's does (spec §5.4) — each PATCH that carries
// `X-Redirect-Uploads: 1` is answered 307 with the part's storage URL (on a second server, another origin) in
// Location and the next session URL in Docker-Upload-Location; the final `PUT ?digest=&etag=` assembles the parts
// and checks size, SHA-256 and the MD5-of-MD5s etag. It also serves HEAD for blobs and takes manifests. It records
// every request, whether storage requests carried Authorization, and how many part PUTs ran at once.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface OllamaUploadRecord {
  server: 'registry' | 'storage';
  method: string;
  url: string;
  contentRange: string | undefined;
  hasAuthorization: boolean;
  status: number;
}

export interface OllamaUploadServer {
  /** host:port of the registry side. */
  host: string;
  records: OllamaUploadRecord[];
  /** Blobs completed through the final PUT, by digest. */
  blobs: Map<string, Buffer>;
  manifests: Map<string, Buffer>;
  /** Most part PUTs that were in progress at the same time. */
  maxConcurrentParts: number;
  /** Part PUTs to fail with 503 before they succeed (by part number, counted once each). */
  failPartOnce: Set<number>;
  stop(): Promise<void>;
}

interface Session {
  parts: Map<number, { start: number; end: number; data?: Buffer }>;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: http.Server, sockets: Set<Socket>): Promise<string> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `basic`: user and password the registry side demands (401 Basic challenge otherwise); storage never asks. */
export async function startOllamaUploadServer(options: { basic?: { user: string; password: string } } = {}): Promise<OllamaUploadServer> {
  const wantAuthorization = options.basic
    ? `Basic ${Buffer.from(`${options.basic.user}:${options.basic.password}`).toString('base64')}`
    : undefined;
  const sessions = new Map<string, Session>();
  const records: OllamaUploadRecord[] = [];
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>();
  const sockets = new Set<Socket>();
  const failPartOnce = new Set<number>();
  let running = 0;
  const state = { maxConcurrentParts: 0 };
  let nextId = 1;

  const storage = http.createServer((req, res) => {
    const record: OllamaUploadRecord = {
      server: 'storage',
      method: req.method ?? '',
      url: req.url ?? '',
      contentRange: undefined,
      hasAuthorization: req.headers.authorization !== undefined,
      status: 0,
    };
    records.push(record);
    const m = /^\/part\/(\d+)\/(\d+)\?sig=/.exec(req.url ?? '');
    const session = m ? sessions.get(m[1]) : undefined;
    const part = session?.parts.get(Number(m?.[2]));
    if (req.method !== 'PUT' || !part) {
      req.resume();
      record.status = 404;
      res.writeHead(404).end();
      return;
    }
    running++;
    state.maxConcurrentParts = Math.max(state.maxConcurrentParts, running);
    void readBody(req).then((data) => {
      // Stay "in progress" a moment, so that parallel parts overlap measurably.
      setTimeout(() => {
        running--;
        const n = Number(m?.[2]);
        if (failPartOnce.delete(n)) {
          record.status = 503;
          res.writeHead(503).end('busy');
          return;
        }
        part.data = data;
        record.status = 200;
        res.writeHead(200, { etag: `"${createHash('md5').update(data).digest('hex')}"` }).end();
      }, 20);
    });
  });
  const storageHost = await listen(storage, sockets);

  const registry = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const record: OllamaUploadRecord = {
      server: 'registry',
      method: req.method ?? '',
      url: req.url ?? '',
      contentRange: req.headers['content-range'],
      hasAuthorization: req.headers.authorization !== undefined,
      status: 0,
    };
    records.push(record);
    const reply = (status: number, headers: Record<string, string> = {}, body = ''): void => {
      record.status = status;
      res.writeHead(status, headers).end(body);
    };
    if (wantAuthorization !== undefined && req.headers.authorization !== wantAuthorization) {
      req.resume();
      return reply(401, { 'www-authenticate': 'Basic realm="uploads"', 'content-type': 'application/json' }, '{"errors":[{"code":"UNAUTHORIZED","message":"log in"}]}');
    }
    const blob = /^\/v2\/([^/]+\/[^/]+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (req.method === 'HEAD' && blob) {
      req.resume();
      const data = blobs.get(blob[2]);
      return data ? reply(200, { 'content-length': String(data.length) }) : reply(404);
    }
    const uploads = /^\/v2\/([^/]+\/[^/]+)\/blobs\/uploads\/(\d*)$/.exec(url.pathname);
    if (uploads && req.method === 'POST') {
      req.resume();
      const id = String(nextId++);
      sessions.set(id, { parts: new Map() });
      return reply(202, { location: `/v2/${uploads[1]}/blobs/uploads/${id}?step=0` });
    }
    if (uploads && req.method === 'PATCH') {
      const session = sessions.get(uploads[2]);
      const range = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
      if (!session || !range || req.headers['x-redirect-uploads'] !== '1') {
        req.resume();
        return reply(400, { 'content-type': 'application/json' }, '{"errors":[{"code":"BAD_PATCH","message":"bad patch"}]}');
      }
      // Answer before reading the body, as a redirecting registry does; throw the body away.
      req.resume();
      const n = session.parts.size;
      session.parts.set(n, { start: Number(range[1]), end: Number(range[2]) });
      const step = Number(url.searchParams.get('step') ?? '0') + 1;
      return reply(307, {
        location: `http://${storageHost}/part/${uploads[2]}/${n}?sig=${'s'.repeat(8)}`,
        'docker-upload-location': `/v2/${uploads[1]}/blobs/uploads/${uploads[2]}?step=${step}`,
      });
    }
    if (uploads && req.method === 'PUT') {
      void readBody(req).then((body) => {
        const session = sessions.get(uploads[2]);
        const digest = url.searchParams.get('digest') ?? '';
        const etag = url.searchParams.get('etag') ?? '';
        if (!session) return reply(404, { 'content-type': 'application/json' }, '{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"unknown"}]}');
        const parts = [...session.parts.values()].sort((a, b) => a.start - b.start);
        if (parts.some((p) => p.data === undefined || p.data.length !== p.end - p.start + 1)) {
          return reply(400, { 'content-type': 'application/json' }, '{"errors":[{"code":"SIZE_INVALID","message":"part missing"}]}');
        }
        // No parts: a one-request upload with the blob as the body (no etag to check then).
        const data = parts.length === 0 ? body : Buffer.concat(parts.map((p) => p.data as Buffer));
        const md5s = parts.map((p) => createHash('md5').update(p.data as Buffer).digest());
        const wantEtag = parts.length === 0 ? etag : `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}`;
        const sum = `sha256:${createHash('sha256').update(data).digest('hex')}`;
        if (sum !== digest || etag !== wantEtag) {
          return reply(400, { 'content-type': 'application/json' }, `{"errors":[{"code":"DIGEST_INVALID","message":"digest or etag (${etag} vs ${wantEtag})"}]}`);
        }
        blobs.set(digest, data);
        sessions.delete(uploads[2]);
        return reply(201, { 'docker-content-digest': digest });
      });
      return;
    }
    const manifest = /^\/v2\/([^/]+\/[^/]+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (manifest && req.method === 'PUT') {
      void readBody(req).then((body) => {
        manifests.set(`${manifest[1]}:${manifest[2]}`, body);
        reply(201, { 'docker-content-digest': `sha256:${createHash('sha256').update(body).digest('hex')}` });
      });
      return;
    }
    req.resume();
    reply(404);
  });
  const host = await listen(registry, sockets);

  return {
    host,
    records,
    blobs,
    manifests,
    get maxConcurrentParts() {
      return state.maxConcurrentParts;
    },
    failPartOnce,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([registry, storage].map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    },
  };
}
