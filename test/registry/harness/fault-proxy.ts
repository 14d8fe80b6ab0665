// Test-only: an HTTP proxy between the client and a registry (or CDN) that injects faults: connection resets,
// 503/429 answers, stalls before the headers or in the middle of the body, truncated bodies and flipped bytes.
// Faults come from an explicit list first, then from a seeded random schedule, so every run is reproducible.
// It also counts the body bytes that pass each way, records what each request asked for, and can throttle
// passing traffic (so that a test can stop a transfer half way).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

export type Fault =
  | 'pass'
  | 'reset'
  | 'status503'
  | 'status429'
  | 'stall-headers'
  | 'stall-body'
  | 'truncate'
  | 'flip'
  /** Forwards half of the request body (by Content-Length), then drops both connections: an upload cut short. */
  | 'cut-request';

export interface FaultRecord {
  method: string;
  path: string;
  fault: Fault;
  /** Path and query as requested. */
  url: string;
  /** The request headers that tests look at. */
  contentRange: string | undefined;
  contentLength: string | undefined;
  hasAuthorization: boolean;
  /** Response status, once known (0 for faults that give none). */
  status: number;
}

export interface FaultProxyOptions {
  /** Base URL to forward to, e.g. the registry's `http://127.0.0.1:<port>`. */
  upstream: string;
  /** Faults for the first eligible requests, in order. */
  schedule?: Fault[];
  /** Seed of the random schedule used after `schedule` is used up; no seed = pass everything. */
  seed?: number;
  /** Probability of each fault in the random schedule (the rest passes). */
  rates?: Partial<Record<Exclude<Fault, 'pass'>, number>>;
  /** Which requests may get a fault (others always pass). Default: all. */
  eligible?: (method: string, path: string, range: string | undefined) => boolean;
  /** Longest time a stall holds a connection before the proxy drops it. Default 60 s. */
  stallCapMs?: number;
  /** Bytes per second for passing bodies (each direction, each connection); default unlimited. */
  bytesPerSecond?: number;
}

export interface FaultProxy {
  url: string;
  host: string;
  records: FaultRecord[];
  /** Body bytes passed so far: registry → client, and client → registry. */
  bytes: { toClient: number; fromClient: number };
  /** Replaces the remaining explicit schedule. */
  setSchedule(faults: Fault[]): void;
  /** Changes the throttle for data that passes from now on (undefined = unlimited). */
  setThrottle(bytesPerSecond: number | undefined): void;
  /** Client connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  let schedule = [...(options.schedule ?? [])];
  const random = options.seed === undefined ? undefined : seededRandom(options.seed);
  const stallCap = options.stallCapMs ?? 60_000;
  const records: FaultRecord[] = [];
  const bytes = { toClient: 0, fromClient: 0 };
  let throttle = options.bytesPerSecond;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const nextFault = (method: string, path: string, range: string | undefined): Fault => {
    if (options.eligible && !options.eligible(method, path, range)) return 'pass';
    const scheduled = schedule.shift();
    if (scheduled) return scheduled;
    if (!random) return 'pass';
    let r = random();
    for (const [fault, rate] of Object.entries(options.rates ?? {}) as Array<[Fault, number]>) {
      if (r < rate) return fault;
      r -= rate;
    }
    return 'pass';
  };

  /** Copies `from` into `to` with backpressure, counting bytes and holding to the throttle. */
  const pump = (from: Readable, to: Writable, count: (n: number) => void): void => {
    const started = Date.now();
    let sent = 0;
    from.on('data', (chunk: Buffer) => {
      count(chunk.length);
      sent += chunk.length;
      const ok = to.write(chunk);
      const due = throttle ? started + (sent / throttle) * 1000 : 0;
      const wait = due - Date.now();
      if (!ok || wait > 0) {
        from.pause();
        let pending = (ok ? 0 : 1) + (wait > 0 ? 1 : 0);
        const resume = (): void => {
          if (--pending === 0) from.resume();
        };
        if (!ok) to.once('drain', resume);
        if (wait > 0) later(wait, resume);
      }
    });
    from.on('end', () => to.end());
    from.on('error', () => to.destroy());
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = nextFault(method, path.split('?')[0], req.headers.range);
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const record: FaultRecord = {
      method,
      path: path.split('?')[0],
      fault,
      url: path,
      contentRange: header('content-range'),
      contentLength: header('content-length'),
      hasAuthorization: req.headers.authorization !== undefined,
      status: 0,
    };
    records.push(record);

    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'status503' || fault === 'status429') {
      req.resume();
      const status = fault === 'status503' ? 503 : 429;
      record.status = status;
      const body = JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected fault' }] });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'retry-after': '0' });
      res.end(body);
      return;
    }
    if (fault === 'stall-headers') {
      req.resume();
      later(stallCap, () => req.socket.destroy());
      return;
    }

    if (fault === 'cut-request') {
      const half = Math.floor(Number(req.headers['content-length'] ?? '0') / 2);
      const out = http.request({ host: upstream.hostname, port: upstream.port, method, path, headers: req.headers });
      out.on('error', () => undefined);
      out.on('response', (up) => up.resume());
      let forwarded = 0;
      req.on('data', (chunk: Buffer) => {
        if (forwarded >= half) return;
        const piece = chunk.subarray(0, half - forwarded);
        forwarded += piece.length;
        bytes.fromClient += piece.length;
        out.write(piece, () => {
          if (forwarded >= half) {
            // Give the registry a moment to store what it got, then cut both sides.
            later(100, () => {
              out.destroy();
              req.socket.destroy();
            });
          }
        });
      });
      return;
    }

    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method, path, headers: req.headers },
      (up) => {
        record.status = up.statusCode ?? 502;
        if (fault === 'pass') {
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.on('close', () => {
            if (!up.readableEnded) up.destroy();
          });
          pump(up, res, (n) => (bytes.toClient += n));
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          if (body.length < 2 || method === 'HEAD') {
            // Nothing to damage: pass it on.
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(body);
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          const half = body.subarray(0, Math.floor(body.length / 2));
          if (fault === 'flip') {
            const damaged = Buffer.from(body);
            const at = random ? Math.floor(random() * damaged.length) : damaged.length >> 1;
            damaged[at] ^= 0x01;
            res.end(damaged);
          } else if (fault === 'truncate') {
            res.write(half, () => req.socket.destroy());
          } else {
            // stall-body: half the data, then nothing
            res.write(half);
            later(stallCap, () => req.socket.destroy());
          }
        });
      },
    );
    out.on('error', () => req.socket.destroy());
    pump(req, out, (n) => (bytes.fromClient += n));
  });
  let accepted = 0;
  server.on('connection', (s: Socket) => {
    accepted++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    records,
    bytes,
    setSchedule: (faults) => {
      schedule = [...faults];
    },
    setThrottle: (bps) => {
      throttle = bps;
    },
    connections: () => accepted,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
