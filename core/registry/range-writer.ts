// The fast path of a pull: ranged GETs of one blob, read straight from sockets into the partial file by a worker
// thread. Profiling showed a pull bound by per-chunk costs on the main thread — undici's stream chunks (64 KiB
// allocations, a copy into its parser's memory, async iteration) and file writes handed to the thread pool (measured
// at 1.5 to 3 times the kernel time of the same writes made by the reading thread). Here each connection reads into
// one reused 1 MiB buffer (`onread`) and the worker writes it at its offset with a plain write, so that the bytes
// are copied once from the socket and once into the page cache, as curl does, and the main thread stays free.
//
// It speaks only the narrow HTTP/1.1 a blob part needs, to a URL the undici client has already resolved (redirects,
// authentication): `GET` with `Range`, answered `206` with the matching Content-Range and a Content-Length. Any
// other answer (a redirect, 401, 5xx, a 200, chunked encoding, odd headers) is handed back as `RangeRefused`, and
// the caller repeats that part through the undici client, which knows what to do with it. Idle connections are
// kept for the next part of the same origin. Progress is reported only for bytes the worker has written.
import { Worker } from 'node:worker_threads';
import { Cancelled } from '../errors';
import { Stalled, TransportError } from './errors';

/** Where and how to fetch a blob's bytes directly: the URL after redirects and the headers for it. */
export interface DirectTarget {
  url: string;
  /** Sent as they are (User-Agent, Authorization when the URL is the registry's own origin). */
  headers: Readonly<Record<string, string>>;
  /** false for https+insecure registries. */
  rejectUnauthorized: boolean;
  /** Certificate authorities for https (undefined: Node's default store). */
  ca?: readonly string[];
}

/** The server answered something the fast path does not handle; fetch this range through the undici client. */
export class RangeRefused extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(`direct range request not used: ${reason}`);
    this.name = 'RangeRefused';
  }
}

/** Messages from the worker. */
type WorkerReply =
  | { type: 'written'; id: number; bytes: number }
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; kind: 'refused'; status: number; reason: string }
  | { type: 'failed'; id: number; kind: 'transport' | 'file'; code: string; message: string }
  | { type: 'failed'; id: number; kind: 'ended-early' | 'stalled' | 'aborted' };

/** Messages to the worker. */
type WorkerRequest =
  | {
      type: 'get';
      id: number;
      url: string;
      headers: Record<string, string>;
      start: number;
      end: number;
      rejectUnauthorized: boolean;
      ca: string[] | undefined;
      stallTimeoutMs: number;
    }
  | { type: 'abort'; id: number };

interface Pending {
  host: string;
  onWritten: (bytes: number) => void;
  resolve: () => void;
  reject: (err: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Writes ranges of a blob into `path` (which must exist and be large enough) from direct GETs, on a worker thread.
 * One instance per partial file; `close()` when done.
 */
export class RangeWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private broken: Error | undefined;

  constructor(
    path: string,
    private readonly stallTimeoutMs: number,
  ) {
    this.worker = new Worker(`(${rangeWorkerMain.toString()})()`, { eval: true, workerData: { path } });
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    const fail = (err: Error): void => {
      this.broken = err;
      for (const [id, p] of this.pending) this.settle(id, p, err);
    };
    this.worker.on('error', (err) => fail(new TransportError('the download worker', err.message, false, 'report this problem')));
    this.worker.on('exit', (code) => fail(new TransportError('the download worker', `it stopped (exit code ${code})`, false, 'run the command again to resume')));
  }

  /**
   * GETs bytes `start`…`end` (inclusive) of `target` and writes them at the same offsets, calling `onWritten` as
   * they reach the file. Resolves when all are written; rejects with RangeRefused, Stalled, TransportError,
   * Cancelled, or a file-system error (with its `code`, e.g. ENOSPC). Bytes reported before a rejection are written.
   */
  fetch(target: DirectTarget, start: number, end: number, onWritten: (bytes: number) => void, signal?: AbortSignal): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const host = new URL(target.url).host;
    if (signal?.aborted) return Promise.reject(new Cancelled(`request to ${host}`));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => this.post({ type: 'abort', id });
      this.pending.set(id, { host, onWritten, resolve, reject, signal, onAbort });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.post({
        type: 'get',
        id,
        url: target.url,
        headers: { ...target.headers },
        start,
        end,
        rejectUnauthorized: target.rejectUnauthorized,
        ca: target.ca ? [...target.ca] : undefined,
        stallTimeoutMs: this.stallTimeoutMs,
      });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private post(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  private settle(id: number, p: Pending, err?: Error): void {
    this.pending.delete(id);
    p.signal?.removeEventListener('abort', p.onAbort);
    if (err) p.reject(err);
    else p.resolve();
  }

  private onReply(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.type === 'written') {
      p.onWritten(reply.bytes);
      return;
    }
    if (reply.type === 'done') {
      this.settle(reply.id, p);
      return;
    }
    switch (reply.kind) {
      case 'refused':
        this.settle(reply.id, p, new RangeRefused(reply.status, reply.reason));
        return;
      case 'transport':
        // Carries the socket's code (ECONNRESET, a TLS code…) for the client's error mapping.
        this.settle(reply.id, p, Object.assign(new Error(reply.message), { code: reply.code }));
        return;
      case 'file':
        this.settle(reply.id, p, Object.assign(new Error(reply.message), { code: reply.code }));
        return;
      case 'ended-early':
        this.settle(reply.id, p, new TransportError(p.host, 'the download ended early', true, 'run the command again to resume'));
        return;
      case 'stalled':
        this.settle(reply.id, p, new Stalled(p.host, this.stallTimeoutMs));
        return;
      case 'aborted':
        this.settle(reply.id, p, new Cancelled(`request to ${p.host}`));
        return;
    }
  }
}

/**
 * The worker's code. It runs from its source text (`toString()`), so it must not use anything from outside its
 * own body: modules come from `require`, types only from `import()` type queries.
 */
function rangeWorkerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const net = require('node:net') as typeof import('node:net');
  const tls = require('node:tls') as typeof import('node:tls');
  const fs = require('node:fs') as typeof import('node:fs');
  const crypto = require('node:crypto') as typeof import('node:crypto');
  type Socket = import('node:net').Socket;
  type Request = Extract<WorkerRequest, { type: 'get' }>;
  if (!parentPort) return;
  const port = parentPort;

  const READ_BUFFER_BYTES = 1024 * 1024;
  /** Written bytes are reported in steps of this size (and at the end). */
  const REPORT_BYTES = 1024 * 1024;
  const MAX_HEAD_BYTES = 64 * 1024;
  const fd = fs.openSync((workerData as { path: string }).path, 'r+');

  /** One connection: its read buffer, what it is doing now, and where it may be reused. */
  interface Connection {
    socket: Socket;
    key: string;
    /** Called with the bytes of each read (a view of the shared buffer, valid only during the call). */
    onData: (data: Buffer) => void;
    onEnd: (err: (Error & { code?: string }) | undefined) => void;
    onTimeout: () => void;
  }
  const idle = new Map<string, Connection[]>();
  const active = new Map<number, { conn: Connection; fail: (reply: WorkerReply) => void }>();

  const send = (reply: WorkerReply): void => port.postMessage(reply);

  function connect(url: URL, request: Request, key: string): Connection {
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const tcpPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const conn: Connection = {
      socket: undefined as unknown as Socket,
      key,
      onData: () => undefined,
      onEnd: () => undefined,
      onTimeout: () => undefined,
    };
    const onread = {
      buffer,
      callback: (n: number, buf: Uint8Array): boolean => {
        conn.onData(Buffer.from(buf.buffer, buf.byteOffset, n));
        return true;
      },
    };
    conn.socket =
      url.protocol === 'https:'
        ? tls.connect({
            host,
            port: tcpPort,
            servername: net.isIP(host) ? undefined : host,
            rejectUnauthorized: request.rejectUnauthorized,
            ca: request.ca,
            ALPNProtocols: ['http/1.1'],
            onread, // supported by tls.connect as by net.connect, but missing from @types/node
          } as import('node:tls').ConnectionOptions)
        : net.connect({ host, port: tcpPort, onread });
    conn.socket.setNoDelay(true);
    conn.socket.on('error', (err) => conn.onEnd(err));
    conn.socket.on('close', () => conn.onEnd(undefined));
    conn.socket.on('timeout', () => conn.onTimeout());
    return conn;
  }

  function release(conn: Connection): void {
    conn.onData = () => conn.socket.destroy(); // an idle connection has nothing to say
    conn.onEnd = () => {
      const list = idle.get(conn.key);
      const at = list ? list.indexOf(conn) : -1;
      if (list && at >= 0) list.splice(at, 1);
    };
    conn.onTimeout = () => conn.socket.destroy();
    conn.socket.setTimeout(0);
    const list = idle.get(conn.key) ?? [];
    list.push(conn);
    idle.set(conn.key, list);
  }

  function parseHead(text: string): { status: number; headers: Map<string, string> } | undefined {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!m) return undefined;
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0 || /^[ \t]/.test(line)) return undefined; // folded or malformed header lines
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (headers.has(name) && (name === 'content-length' || name === 'content-range')) return undefined;
      headers.set(name, value);
    }
    return { status: Number(m[1]), headers };
  }

  function start(request: Request, retryOnFreshConnection: boolean): void {
    const url = new URL(request.url);
    // Connections are shared only between requests with the same origin and the same trust settings.
    const trust = request.ca ? crypto.createHash('sha256').update(request.ca.join('\n')).digest('hex') : 'default';
    const key = `${url.protocol}//${url.host}|${request.rejectUnauthorized}|${trust}`;
    const reused = idle.get(key)?.pop();
    const conn = reused ?? connect(url, request, key);
    const wanted = request.end - request.start + 1;
    let head: Buffer[] = [];
    let headBytes = 0;
    let bodyLeft = -1; // -1 while the head is still arriving
    let keepAlive = true;
    let position = request.start;
    let unreported = 0;
    let finished = false;
    let sawBytes = false;

    const report = (): void => {
      if (unreported > 0) send({ type: 'written', id: request.id, bytes: unreported });
      unreported = 0;
    };
    const finish = (reply: WorkerReply | undefined, destroy: boolean): void => {
      if (finished) return;
      finished = true;
      active.delete(request.id);
      report();
      if (destroy) {
        conn.onEnd = () => undefined;
        conn.socket.destroy();
      } else {
        release(conn);
      }
      send(reply ?? { type: 'done', id: request.id });
    };
    const refuse = (status: number, reason: string): void =>
      finish({ type: 'failed', id: request.id, kind: 'refused', status, reason }, true);

    const writeBody = (data: Buffer): boolean => {
      if (data.length > bodyLeft) {
        refuse(206, 'the server sent more than the range');
        return false;
      }
      try {
        for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done, position + done);
      } catch (err) {
        const e = err as Error & { code?: string };
        finish({ type: 'failed', id: request.id, kind: 'file', code: e.code ?? 'EIO', message: e.message }, true);
        return false;
      }
      position += data.length;
      bodyLeft -= data.length;
      unreported += data.length;
      if (unreported >= REPORT_BYTES) report();
      if (bodyLeft === 0) finish(undefined, !keepAlive);
      return true;
    };

    conn.onData = (data) => {
      if (finished) return;
      sawBytes = true;
      if (bodyLeft >= 0) {
        writeBody(data);
        return;
      }
      head.push(Buffer.from(data)); // the read buffer is reused: keep a copy of head bytes
      headBytes += data.length;
      const all = head.length === 1 ? head[0] : Buffer.concat(head, headBytes);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (headBytes > MAX_HEAD_BYTES) refuse(0, 'response headers too large');
        else head = [all];
        return;
      }
      const parsed = parseHead(all.subarray(0, end).toString('latin1'));
      if (!parsed) return refuse(0, 'malformed response head');
      const { status, headers } = parsed;
      if (status !== 206) return refuse(status, `status ${status}`);
      if (headers.has('transfer-encoding')) return refuse(status, 'transfer-encoding');
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== request.start || Number(range[2]) !== request.end) return refuse(status, 'a different range');
      if (headers.get('content-length') !== String(wanted)) return refuse(status, 'a different length');
      keepAlive = !/\bclose\b/i.test(headers.get('connection') ?? '') && /^HTTP\/1\.1/.test(all.toString('latin1', 0, 8));
      bodyLeft = wanted;
      head = [];
      const rest = all.subarray(end + 4);
      if (rest.length > 0) writeBody(rest);
    };
    conn.onEnd = (err) => {
      if (finished) return;
      if (reused && !sawBytes && retryOnFreshConnection) {
        // The server closed a kept-alive connection before we used it: try once more on a new one.
        finished = true;
        active.delete(request.id);
        conn.socket.destroy();
        start(request, false);
        return;
      }
      if (err) finish({ type: 'failed', id: request.id, kind: 'transport', code: err.code ?? 'ECONNRESET', message: err.message }, true);
      else finish({ type: 'failed', id: request.id, kind: 'ended-early' }, true);
    };
    conn.onTimeout = () => finish({ type: 'failed', id: request.id, kind: 'stalled' }, true);
    active.set(request.id, { conn, fail: (reply) => finish(reply, true) });

    conn.socket.setTimeout(request.stallTimeoutMs);
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, `Range: bytes=${request.start}-${request.end}`, 'Accept-Encoding: identity'];
    for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
    conn.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  }

  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'abort') {
      active.get(message.id)?.fail({ type: 'failed', id: message.id, kind: 'aborted' });
      return;
    }
    start(message, true);
  });
}
