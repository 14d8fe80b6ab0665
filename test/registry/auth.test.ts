// Authentication against real registries: docker-registry with htpasswd (Basic), and docker-registry with token
// auth backed by our token endpoint (anonymous pull, refused push, Basic users at the token service, Ollama's
// signed-key flow through a gateway on the registry's own host:port, the realm-host check). Secrets never show up
// in error messages or trace events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Unauthorized } from '../../core/errors';
import { credentialsProvider, envVarForHost } from '../../core/registry/auth/credentials';
import { newKeyPair, readKeyFile, type Ed25519KeyPair } from '../../core/registry/auth/openssh-key';
import { RegistryClient, type RegistryClientOptions, type TraceEvent } from '../../core/registry/client';
import { AuthChallengeInvalid, KeyMissing } from '../../core/registry/errors';
import { Cleanup, makeTempDir, seedModel, startRegistry, startTokenServer, type RunningRegistry, type SeededModel, type TokenServer } from './harness';

const cleanup = new Cleanup();
after(() => cleanup.run());

const PASSWORD = 'S3cret-Pa55word!';
const WRONG = 'Wr0ng-Pa55word?';

/** Every string that must never appear in a message or trace event. */
function secretsOf(password: string, user = 'carol'): string[] {
  return [password, Buffer.from(`${user}:${password}`).toString('base64')];
}

function assertNoSecrets(texts: string[], secrets: string[]): void {
  for (const text of texts) for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked into: ${text}`);
}

describe('basic auth (htpasswd)', () => {
  let registry: RunningRegistry;
  let model: SeededModel;

  before(async () => {
    registry = await startRegistry({ htpasswd: { carol: PASSWORD } });
    cleanup.add(() => registry.stop());
    model = await seedModel(registry.url, 'carol/m', 'latest', [{ data: Buffer.from('basic weights') }], {
      headers: { authorization: `Basic ${Buffer.from(`carol:${PASSWORD}`).toString('base64')}` },
    });
  });

  function client(password: string | undefined, traces: TraceEvent[] = [], extra: RegistryClientOptions = {}): RegistryClient {
    const c = new RegistryClient({
      insecureHosts: [registry.host],
      retries: 0,
      credentials: credentialsProvider({
        explicit: password === undefined ? {} : { [registry.host]: { username: 'carol', password } },
        env: {},
        dockerConfigPath: null,
      }),
      trace: (e) => traces.push(e),
      ...extra,
    });
    cleanup.add(() => c.close());
    return c;
  }
  const repo = (): { host: string; namespace: string; model: string } => ({ host: registry.host, namespace: 'carol', model: 'm' });

  test('without credentials: Unauthorized that says how to log in', async () => {
    await assert.rejects(client(undefined).getManifest(repo(), 'latest'), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /requires you to log in/);
      assert.match(err.message, /MODELFILE_REGISTRY_USER/);
      return true;
    });
  });

  test('with the right password the manifest comes back, and later requests send Basic at once', async () => {
    const traces: TraceEvent[] = [];
    const c = client(PASSWORD, traces);
    assert.deepEqual((await c.getManifest(repo(), 'latest')).bytes, model.manifest);
    const before = traces.filter((e) => e.type === 'response' && e.status === 401).length;
    assert.equal(before, 1);
    await c.headBlob(repo(), model.layers[0].digest);
    assert.equal(traces.filter((e) => e.type === 'response' && e.status === 401).length, 1);
  });

  test('credentials from the per-host environment variable', async () => {
    const c = new RegistryClient({
      insecureHosts: [registry.host],
      retries: 0,
      credentials: credentialsProvider({ env: { [envVarForHost(registry.host)]: `carol:${PASSWORD}` }, dockerConfigPath: null }),
    });
    cleanup.add(() => c.close());
    assert.deepEqual((await c.getManifest(repo(), 'latest')).bytes, model.manifest);
  });

  test('a wrong password is Unauthorized, and neither message nor trace contains a secret', async () => {
    const traces: TraceEvent[] = [];
    let message = '';
    await assert.rejects(client(WRONG, traces).getManifest(repo(), 'latest'), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /denied.*check that the credentials/);
      message = `${err.message} ${String(err.stack)}`;
      return true;
    });
    assertNoSecrets([message, ...traces.map((e) => JSON.stringify(e))], secretsOf(WRONG));
  });

  test('a push without credentials is refused with the namespace advice', async () => {
    await assert.rejects(client(undefined).startUpload(repo()), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /you are not authorized to push to carol/);
      assert.match(err.message, /create the model under a namespace you own/);
      return true;
    });
  });
});

describe('token auth', () => {
  let tokens: TokenServer;
  let registry: RunningRegistry;
  let model: SeededModel;
  let key: Ed25519KeyPair;

  before(async () => {
    key = await newKeyPair();
    tokens = await startTokenServer({ users: { dave: PASSWORD }, ollamaKeys: [key.publicKey] });
    cleanup.add(() => tokens.stop());
    registry = await startRegistry({
      token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.cert.certPath },
    });
    cleanup.add(() => registry.stop());
    tokens.setUpstream(registry.url);
    model = await seedModel(registry.url, 'library/tiny', 'latest', [{ data: Buffer.from('token weights') }], {
      headers: { authorization: `Bearer ${tokens.mintToken('repository:library/tiny:pull,push')}` },
    });
  });

  function client(options: RegistryClientOptions = {}): RegistryClient {
    const c = new RegistryClient({
      insecureHosts: [registry.host, tokens.host],
      retries: 0,
      credentials: credentialsProvider({ env: {}, dockerConfigPath: null }),
      ...options,
    });
    cleanup.add(() => c.close());
    return c;
  }
  const tiny = (host = registry.host): { host: string; namespace: string; model: string } => ({ host, namespace: 'library', model: 'tiny' });

  test('anonymous pull: 401 → anonymous token → retry; the token is reused', async () => {
    tokens.requests.length = 0;
    const c = client();
    assert.deepEqual((await c.getManifest(tiny(), 'latest')).bytes, model.manifest);
    assert.equal(tokens.requests.length, 1);
    assert.equal(tokens.requests[0].kind, 'anonymous');
    assert.deepEqual(tokens.requests[0].scopes, ['repository:library/tiny:pull']);
    await c.headBlob(tiny(), model.layers[0].digest);
    await c.getManifest(tiny(), 'latest');
    assert.equal(tokens.requests.length, 1);
  });

  test('anonymous push is refused with a clear "not authorized to push" error', async () => {
    await assert.rejects(client().startUpload(tiny()), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /you are not authorized to push to library on 127\.0\.0\.1:\d+ \(insufficient scope\)/);
      assert.match(err.message, /create the model under a namespace you own/);
      return true;
    });
  });

  test('a user known to the token service may push; the token never shows up in traces', async () => {
    tokens.requests.length = 0;
    const traces: TraceEvent[] = [];
    const c = client({
      credentials: credentialsProvider({ explicit: { [registry.host]: { username: 'dave', password: PASSWORD } }, env: {}, dockerConfigPath: null }),
      trace: (e) => traces.push(e),
    });
    const start = await c.startUpload(tiny());
    assert.equal(start.mounted, false);
    assert.equal(tokens.requests[0].kind, 'basic');
    // docker-registry lists the challenge's actions in Go map order (push,pull or pull,push): compare as sets.
    assert.deepEqual(
      tokens.requests[0].granted.map((g) => ({ name: g.name, actions: [...g.actions].sort() })),
      [{ name: 'library/tiny', actions: ['pull', 'push'] }],
    );
    const issued = tokens.requests.map((r) => r.token ?? '').filter(Boolean);
    assertNoSecrets(traces.map((e) => JSON.stringify(e)), [...issued, ...secretsOf(PASSWORD, 'dave')]);
  });

  test('wrong credentials at the token service: Unauthorized without the secret', async () => {
    const c = client({
      credentials: credentialsProvider({ explicit: { [registry.host]: { username: 'dave', password: WRONG } }, env: {}, dockerConfigPath: null }),
    });
    await assert.rejects(c.getManifest(tiny(), 'latest'), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /refused the credentials/);
      assertNoSecrets([err.message], secretsOf(WRONG, 'dave'));
      return true;
    });
  });

  test("Ollama's signed flow (realm on the same host): pull and push with a registered key", async () => {
    tokens.requests.length = 0;
    const traces: TraceEvent[] = [];
    const c = client({ authFlows: { [tokens.host]: 'ollama' }, ollamaKey: () => Promise.resolve(key), trace: (e) => traces.push(e) });
    assert.deepEqual((await c.getManifest(tiny(tokens.host), 'latest')).bytes, model.manifest);
    const start = await c.startUpload(tiny(tokens.host));
    assert.equal(start.mounted, false);
    assert.ok(tokens.requests.length >= 2);
    for (const r of tokens.requests) {
      assert.equal(r.kind, 'ollama');
      assert.doesNotMatch(r.authorization ?? '', /^Bearer /);
      const keys = [...new URL(r.url).searchParams.keys()];
      assert.deepEqual(keys, [...keys].sort());
      assert.ok(keys.includes('nonce') && keys.includes('ts') && keys.includes('service'));
    }
    const signatures = tokens.requests.map((r) => (r.authorization ?? '').split(':')[1]);
    const issued = tokens.requests.map((r) => r.token ?? '');
    const seed = Buffer.from(key.seed).toString('base64');
    assertNoSecrets(traces.map((e) => JSON.stringify(e)), [...signatures, ...issued, seed].filter(Boolean));
  });

  test('an unregistered Ollama key is refused with advice about adding the public key', async () => {
    const stranger = await newKeyPair();
    const c = client({ authFlows: { [tokens.host]: 'ollama' }, ollamaKey: () => Promise.resolve(stranger) });
    await assert.rejects(c.startUpload(tiny(tokens.host)), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /not authorized to push to library/);
      assert.match(err.message, /id_ed25519\.pub/);
      return true;
    });
  });

  test('the Ollama flow refuses a realm on another host', async () => {
    const c = client({ authFlows: { [registry.host]: 'ollama' }, ollamaKey: () => Promise.resolve(key) });
    await assert.rejects(c.getManifest(tiny(), 'latest'), (err: unknown) => {
      assert.ok(err instanceof AuthChallengeInvalid);
      assert.equal(err.message, `realm host "${tokens.host}" does not match original host "${registry.host}"`);
      return true;
    });
  });

  test('a missing key file fails the token step with KeyMissing', async () => {
    const dir = makeTempDir('modelfile-nokey-');
    cleanup.add(() => dir.remove());
    const c = client({ authFlows: { [tokens.host]: 'ollama' }, ollamaKey: () => readKeyFile(`${dir.path}/id_ed25519`) });
    await assert.rejects(c.getManifest(tiny(tokens.host), 'latest'), KeyMissing);
  });
});
