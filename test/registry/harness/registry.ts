// Test-only: starts a real Docker distribution registry (`docker-registry serve`, Debian package) on 127.0.0.1 with a
// random port and temporary storage, in one of the configurations the tests need: no auth, htpasswd (bcrypt via
// bcryptjs, cost 4), token auth against our own token endpoint, a storage redirect to a CDN, TLS.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import { Agent, request } from 'undici';
import { makeTempDir, onExit } from './temp';

export interface RegistryConfig {
  /** htpasswd users (name → password). */
  htpasswd?: Readonly<Record<string, string>>;
  /** Token auth: the token endpoint's realm URL, service, issuer and the PEM bundle that verifies its tokens. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Blob GET/HEAD answer 307 to `<baseUrl>docker/registry/v2/blobs/…` (the storage layout). */
  redirectBaseUrl?: string;
  /** Serve https with this certificate and key (PEM files). */
  tls?: { certPath: string; keyPath: string };
}

export interface RunningRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  port: number;
  /** `http://127.0.0.1:<port>` or `https://…` */
  url: string;
  /** The storage root folder (the CDN serves from here). */
  storageRoot: string;
  /** Recent stderr, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

/** Whether the docker-registry binary is installed. */
export function registryAvailable(): boolean {
  try {
    execFileSync('docker-registry', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** A bcrypt htpasswd line as the registry accepts it (bcryptjs, cost 4 — it is re-checked on every request). */
export function htpasswdLine(user: string, password: string): string {
  return `${user}:${hashSync(password, 4)}`;
}

export async function startRegistry(config: RegistryConfig = {}): Promise<RunningRegistry> {
  const temp = makeTempDir('modelfile-registry-');
  const storageRoot = join(temp.path, 'data');
  const yaml: Record<string, unknown> = {
    version: 0.1,
    // "listening on" is logged at info level only; the access log stays off.
    log: { level: 'info', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: storageRoot },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: '127.0.0.1:0', secret: 'test-secret' },
  };
  if (config.htpasswd) {
    const file = join(temp.path, 'htpasswd');
    writeFileSync(file, Object.entries(config.htpasswd).map(([u, p]) => htpasswdLine(u, p)).join('\n') + '\n');
    yaml['auth'] = { htpasswd: { realm: 'test-realm', path: file } };
  } else if (config.token) {
    yaml['auth'] = {
      token: {
        realm: config.token.realm,
        service: config.token.service,
        issuer: config.token.issuer,
        rootcertbundle: config.token.rootCertBundle,
      },
    };
  }
  if (config.redirectBaseUrl) {
    yaml['middleware'] = { storage: [{ name: 'redirect', options: { baseurl: config.redirectBaseUrl } }] };
  }
  if (config.tls) {
    (yaml['http'] as Record<string, unknown>)['tls'] = { certificate: config.tls.certPath, key: config.tls.keyPath };
  }
  const configPath = join(temp.path, 'config.yml');
  writeFileSync(configPath, JSON.stringify(yaml, null, 2)); // JSON is YAML

  const child: ChildProcess = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  const unregister = onExit(() => child.kill('SIGKILL'));
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`docker-registry did not start within ${START_TIMEOUT_MS} ms:\n${stderr}`)), START_TIMEOUT_MS);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new Error('docker-registry is not installed: run scripts/setup-system.sh (Debian package docker-registry)') : err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`docker-registry exited with ${code}:\n${stderr}`));
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    unregister();
    temp.remove();
    throw err;
  });

  const host = `127.0.0.1:${port}`;
  const url = `${config.tls ? 'https' : 'http'}://${host}`;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killTimer);
    }
    unregister();
    temp.remove();
  };

  // Wait until it answers /v2/ (any status: 200 or 401), over TLS without verification if need be.
  const probe = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        const res = await request(`${url}/v2/`, { dispatcher: probe });
        await res.body.dump();
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          await stop();
          throw err;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } finally {
    await probe.close();
  }
  return { host, port, url, storageRoot, log: () => stderr, stop };
}
