// The demo registry shared by `npm start` (through scripts/demo-env.ts) and the UI walk: a real Docker distribution
// registry (`docker-registry`, Debian package) on 127.0.0.1 with a random port and its storage in a given folder,
// optionally behind a small pacing proxy that slows blob downloads down so that pull progress can be watched and
// cancelled. Everything listens on loopback only; `stop()` ends the registry and the proxy.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface DemoRegistryOptions {
  /** A folder owned by the caller: the configuration and the storage (`data/`) go below it. */
  readonly dir: string;
  /** Blob downloads through `host` are paced to about this many bytes per second (all connections together).
   *  Undefined: no proxy, `host` is the registry itself. */
  readonly paceBytesPerSecond?: number;
  readonly startTimeoutMs?: number;
}

export interface DemoRegistry {
  /** `127.0.0.1:<port>` that clients should use (the pacing proxy when there is one). */
  readonly host: string;
  /** `127.0.0.1:<port>` of the registry itself, unpaced (for seeding). */
  readonly directHost: string;
  /** The registry's process id. */
  readonly pid: number;
  /** Recent registry stderr, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;

/** Starts `docker-registry serve` on a free loopback port, and the pacing proxy in front of it when asked to. */
export async function startDemoRegistry(options: DemoRegistryOptions): Promise<DemoRegistry> {
  const storage = join(options.dir, 'data');
  mkdirSync(storage, { recursive: true });
  const config = {
    version: 0.1,
    // "listening on" is logged at info level; the access log stays off.
    log: { level: 'info', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: storage },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: '127.0.0.1:0', secret: 'modelfile-studio-demo' },
  };
  const configPath = join(options.dir, 'config.yml');
  writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n'); // JSON is YAML

  const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  const killAtExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killAtExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  const stopRegistry = async (): Promise<void> => {
    process.removeListener('exit', killAtExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  let port: number;
  try {
    port = await waitForPort(child, options.startTimeoutMs ?? 15_000, (text) => {
      stderr = (stderr + text).slice(-20_000);
      return stderr;
    });
    await waitForV2(port, options.startTimeoutMs ?? 15_000);
  } catch (error) {
    await stopRegistry();
    throw error;
  }
  const directHost = `127.0.0.1:${port}`;

  let proxy: Server | undefined;
  let host = directHost;
  if (options.paceBytesPerSecond !== undefined) {
    try {
      proxy = await startPacingProxy(port, options.paceBytesPerSecond);
      host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    } catch (error) {
      await stopRegistry();
      throw error;
    }
  }

  let stopped = false;
  return {
    host,
    directHost,
    pid: child.pid ?? 0,
    log: () => stderr,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (proxy !== undefined) {
        const closing = new Promise<void>((resolve) => proxy?.close(() => resolve()));
        proxy.closeAllConnections();
        await closing;
      }
      await stopRegistry();
    },
  };
}

function waitForPort(child: ChildProcess, timeoutMs: number, append: (text: string) => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`docker-registry did not start within ${timeoutMs} ms`)), timeoutMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const match = LISTENING.exec(append(chunk));
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error('docker-registry is not installed: run "bash scripts/setup-system.sh" (Debian package docker-registry)')
          : error,
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`docker-registry exited with code ${code ?? 'none'}:\n${append('')}`));
    });
  });
}

/** Polls `GET /v2/` until the registry answers (any status). */
async function waitForV2(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v2/', method: 'GET' }, (res) => {
        res.resume();
        resolve(true);
      });
      req.once('error', () => resolve(false));
      req.end();
    });
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`docker-registry on port ${port} did not answer /v2/ within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A token bucket shared by every paced response: each piece of data waits for its share of time. */
class Pace {
  private next = 0;

  constructor(private readonly bytesPerSecond: number) {}

  /** Milliseconds to wait before sending `bytes` more. */
  reserve(bytes: number): number {
    const now = Date.now();
    // A small burst allowance keeps the first pieces of a transfer from waiting.
    this.next = Math.max(this.next, now - 50) + (bytes / this.bytesPerSecond) * 1000;
    return Math.max(0, this.next - now);
  }
}

const PIECE_BYTES = 32 * 1024;

function pacedStream(pace: Pace): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      void (async () => {
        for (let at = 0; at < chunk.length; at += PIECE_BYTES) {
          const piece = chunk.subarray(at, at + PIECE_BYTES);
          const wait = pace.reserve(piece.length);
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          this.push(piece);
        }
        callback();
      })();
    },
  });
}

/**
 * A reverse proxy on a free loopback port that forwards everything to the registry unchanged (the Host header too,
 * so the upload locations the registry hands out point back at the proxy) and paces blob GET bodies.
 */
function startPacingProxy(registryPort: number, bytesPerSecond: number): Promise<Server> {
  const pace = new Pace(bytesPerSecond);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: registryPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
        const paced = req.method === 'GET' && /\/blobs\/sha256:[0-9a-f]{64}$/.test((req.url ?? '').split('?')[0] ?? '');
        const done = paced ? pipeline(answer, pacedStream(pace), res) : pipeline(answer, res);
        done.catch(() => {
          // the client went away (a cancelled pull): drop both sides
          answer.destroy();
          res.destroy();
        });
      },
    );
    upstream.once('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
