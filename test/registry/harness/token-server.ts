// Test-only: a Docker token endpoint in the test process. It issues ES256 JWS tokens (x5c header with a
// self-signed certificate that the registry trusts) with iss/aud/exp/nbf/iat/access claims; anonymous callers get
// pull only, Basic users and Ollama-signed requests (spec §5.2, verified with node:crypto) get pull and push.
// As a gateway it also forwards every other path to the registry, so the realm can sit on the registry's own
// host:port as Ollama's flow demands.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { makeSelfSignedCert, type SelfSignedCert } from './certs';
import { makeTempDir } from './temp';

export type TokenAuthKind = 'anonymous' | 'basic' | 'ollama' | 'refused';

export interface TokenRequestRecord {
  kind: TokenAuthKind;
  /** The full URL as the client requested it. */
  url: string;
  scopes: string[];
  granted: Array<{ name: string; actions: string[] }>;
  /** Raw Authorization header (tests check it is not a Bearer). */
  authorization: string | undefined;
  /** The token issued, if any (tests check it never shows up in messages). */
  token?: string;
}

export interface TokenServerOptions {
  service?: string;
  issuer?: string;
  /** Basic users allowed to pull and push. */
  users?: Readonly<Record<string, string>>;
  /** Ollama public keys (32 raw bytes) whose signatures are accepted for pull and push. */
  ollamaKeys?: readonly Uint8Array[];
  /** Actions anonymous callers get. Default ['pull']. */
  anonymousActions?: readonly string[];
  /** Seconds a token lives. Default 300. */
  lifetimeSeconds?: number;
}

export interface TokenServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  host: string;
  /** `<url>/token` */
  realm: string;
  service: string;
  issuer: string;
  /** The certificate the registry must trust (rootcertbundle). */
  cert: SelfSignedCert;
  requests: TokenRequestRecord[];
  /** Gateway mode: forward every non-/token request to this registry base URL. */
  setUpstream(url: string): void;
  /** A token with the given access, for seeding (e.g. `repository:library/m:pull,push`). */
  mintToken(scope: string): string;
  stop(): Promise<void>;
}

const ZERO_SUM = Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855').toString('base64');

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

/** The 32-byte Ed25519 key inside an SSH public-key blob, or undefined. */
function keyFromBlob(blob: Buffer): Buffer | undefined {
  if (blob.length < 4) return undefined;
  const n = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + n).toString() !== 'ssh-ed25519') return undefined;
  const m = blob.readUInt32BE(4 + n);
  const key = blob.subarray(8 + n, 8 + n + m);
  return key.length === 32 ? key : undefined;
}

function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const temp = makeTempDir('modelfile-token-');
  const cert = makeSelfSignedCert(temp.path, 'token-signer', 'token-signer');
  const signingKey = createPrivateKey(cert.keyPem);
  const service = options.service ?? 'test-registry';
  const issuer = options.issuer ?? 'test-issuer';
  const lifetime = options.lifetimeSeconds ?? 300;
  const anonymous = options.anonymousActions ?? ['pull'];
  const allowedKeys = (options.ollamaKeys ?? []).map((k) => Buffer.from(k));
  const requests: TokenRequestRecord[] = [];
  let upstream: URL | undefined;
  const sockets = new Set<Socket>();

  const mint = (account: string, access: Array<{ type: string; name: string; actions: string[] }>): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c: [cert.derBase64] };
    const claims = { iss: issuer, sub: account, aud: service, exp: now + lifetime, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: signingKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  };

  const grant = (scopes: string[], actions: readonly string[]): Array<{ type: string; name: string; actions: string[] }> =>
    scopes
      .map(parseScope)
      .filter((s): s is { type: string; name: string; actions: string[] } => s !== undefined && s.type === 'repository')
      .map((s) => ({ type: 'repository', name: s.name, actions: s.actions.filter((a) => actions.includes(a)) }));

  const checkOllama = (authorization: string, fullUrl: string, query: URLSearchParams): boolean => {
    const colon = authorization.indexOf(':');
    if (colon < 0 || authorization.startsWith('Bearer ')) return false;
    const key = keyFromBlob(Buffer.from(authorization.slice(0, colon), 'base64'));
    if (!key || !allowedKeys.some((k) => k.equals(key))) return false;
    const ts = Number(query.get('ts'));
    if (!Number.isFinite(ts) || Math.abs(ts - Date.now() / 1000) > 300 || !query.get('nonce')) return false;
    const signature = Buffer.from(authorization.slice(colon + 1), 'base64');
    return verify(null, Buffer.from(`GET,${fullUrl},${ZERO_SUM}`), ed25519PublicKeyObject(key), signature);
  };

  const handleToken = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const fullUrl = `http://${req.headers.host ?? ''}${req.url ?? ''}`;
    const query = new URL(fullUrl).searchParams;
    const scopes = query.getAll('scope').filter(Boolean);
    const authorization = req.headers.authorization;
    let kind: TokenAuthKind = 'anonymous';
    let account = '';
    let actions: readonly string[] = anonymous;
    if (authorization?.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(authorization.slice(6), 'base64').toString().split(':');
      const password = rest.join(':');
      if (options.users && options.users[user] === password) {
        kind = 'basic';
        account = user;
        actions = ['pull', 'push'];
      } else kind = 'refused';
    } else if (authorization) {
      if (checkOllama(authorization, fullUrl, query)) {
        kind = 'ollama';
        account = 'ollama-user';
        actions = ['pull', 'push'];
      } else kind = 'refused';
    }
    if (kind === 'refused') {
      requests.push({ kind, url: fullUrl, scopes, granted: [], authorization });
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication failed' }] }));
      return;
    }
    const access = grant(scopes, actions);
    const token = mint(account, access);
    requests.push({ kind, url: fullUrl, scopes, granted: access.map((a) => ({ name: a.name, actions: a.actions })), authorization, token });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: lifetime, issued_at: new Date().toISOString() }));
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, target: URL): void => {
    const out = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/token') {
      req.resume();
      handleToken(req, res);
    } else if (upstream) forward(req, res, upstream);
    else {
      req.resume();
      res.writeHead(404).end();
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    host: `127.0.0.1:${port}`,
    realm: `${url}/token`,
    service,
    issuer,
    cert,
    requests,
    setUpstream: (u) => {
      upstream = new URL(u);
    },
    mintToken: (scope) => mint('seeder', grant([scope], ['pull', 'push', 'delete'])),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      temp.remove();
    },
  };
}
