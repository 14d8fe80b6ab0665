// Auth building blocks without a network: Ollama's challenge parser (with its quirk), token URL encoding, realm
// check, proactive token; the RFC 7235 challenge parser and token replies; the flow-selection rule; credentials
// from explicit settings, the environment and Docker's config file.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { authFlowFor } from '../../core/registry/auth/authenticator';
import { credentialsProvider, dockerConfigLookup, envVarForHost, normaliseRegistryKey } from '../../core/registry/auth/credentials';
import { dockerTokenUrl, parseChallenges, parseTokenReply, repositoryScope } from '../../core/registry/auth/docker-auth';
import {
  ZERO_SUM,
  checkData,
  checkRealmHost,
  goEncodeValues,
  goQueryEscape,
  makeProactiveToken,
  ollamaTokenUrl,
  parseOllamaChallenge,
} from '../../core/registry/auth/ollama-auth';
import { newKeyPair, publicKeyField } from '../../core/registry/auth/openssh-key';
import { AuthChallengeInvalid } from '../../core/registry/errors';

const dir = mkdtempSync(join(tmpdir(), 'modelfile-auth-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("Ollama's signed flow", () => {
  test('zeroSum is base64 of the hex SHA-256 of nothing', () => {
    assert.equal(ZERO_SUM, 'ZTNiMGM0NDI5OGZjMWMxNDlhZmJmNGM4OTk2ZmI5MjQyN2FlNDFlNDY0OWI5MzRjYTQ5NTk5MWI3ODUyYjg1NQ==');
    assert.equal(checkData('https://x/y').toString(), `GET,https://x/y,${ZERO_SUM}`);
  });

  test('the challenge parser reads quoted values and keeps the quirk for unquoted ones', () => {
    assert.deepEqual(
      parseOllamaChallenge('Bearer realm="https://registry.ollama.ai/v2/token",service="registry.ollama.ai",scope="repository:library/x:pull"'),
      { realm: 'https://registry.ollama.ai/v2/token', service: 'registry.ollama.ai', scope: 'repository:library/x:pull' },
    );
    // A quote inside a value that is not followed by a comma does not end it.
    assert.equal(parseOllamaChallenge('Bearer realm="a"b",service="s"').realm, 'a"b');
    // Unquoted: one character is skipped as if it were the quote (quirk).
    assert.equal(parseOllamaChallenge('Bearer realm=https://h/token,service=s').realm, 'ttps://h/token,service=s');
    assert.deepEqual(parseOllamaChallenge('Basic realm="r"'), { realm: 'r', service: '', scope: '' });
  });

  test('Go query escaping and sorted encoding', () => {
    assert.equal(goQueryEscape("a b:c/d?e=f&g!'()*~-_.é"), 'a+b%3Ac%2Fd%3Fe%3Df%26g%21%27%28%29%2A~-_.%C3%A9');
    assert.equal(goEncodeValues([['b', '2'], ['a', '1'], ['b', '1']]), 'a=1&b=2&b=1');
  });

  test('the token URL: realm query kept, service, one scope per scope, ts, nonce; sorted and form-escaped', () => {
    const url = ollamaTokenUrl(
      { realm: 'https://registry.ollama.ai/v2/token?foo=bar', service: 'registry.ollama.ai', scope: 'repository:a/b:pull repository:c/d:pull,push' },
      { nowSeconds: 1700000000, nonceBytes: new Uint8Array(16) },
    );
    assert.equal(
      url,
      'https://registry.ollama.ai/v2/token?foo=bar&nonce=AAAAAAAAAAAAAAAAAAAAAA&scope=repository%3Aa%2Fb%3Apull' +
        '&scope=repository%3Ac%2Fd%3Apull%2Cpush&service=registry.ollama.ai&ts=1700000000',
    );
    const empty = ollamaTokenUrl({ realm: 'http://h:1/t', service: '', scope: '' }, { nowSeconds: 1, nonceBytes: new Uint8Array(16) });
    assert.equal(empty, 'http://h:1/t?nonce=AAAAAAAAAAAAAAAAAAAAAA&scope=&service=&ts=1');
    assert.throws(() => ollamaTokenUrl({ realm: 'not a url', service: '', scope: '' }), AuthChallengeInvalid);
    assert.throws(() => ollamaTokenUrl({ realm: 'file:///etc/passwd', service: '', scope: '' }), AuthChallengeInvalid);
  });

  test('the realm must be on the host[:port] that sent the challenge', () => {
    assert.doesNotThrow(() => checkRealmHost('https://registry.ollama.ai/v2/token?x=1', new URL('https://registry.ollama.ai/v2/library/m/manifests/latest')));
    assert.throws(
      () => checkRealmHost('https://evil.example/token', new URL('https://registry.ollama.ai/v2/x')),
      { message: 'realm host "evil.example" does not match original host "registry.ollama.ai"' },
    );
    assert.throws(() => checkRealmHost('http://127.0.0.1:2/t', new URL('http://127.0.0.1:1/v2/')), /does not match/);
  });

  test('the proactive token is base64(url):key:signature over GET,url,zeroSum', async () => {
    const key = await newKeyPair();
    const token = await makeProactiveToken(key, 1700000000);
    const [url64, field, sig] = token.split(':');
    const url = Buffer.from(url64, 'base64').toString();
    assert.equal(url, 'https://ollama.com?ts=1700000000');
    assert.equal(field, publicKeyField(key.publicKey));
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey).toString('base64url') }, format: 'jwk' });
    assert.ok(verify(null, checkData(url), pub, Buffer.from(sig, 'base64')));
  });
});

describe('Docker challenges and tokens', () => {
  test('several challenges, quoted strings with escapes and commas, case-insensitive names', () => {
    const parsed = parseChallenges([
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push",error="insufficient_scope"',
      'basic Realm="say \\"hi\\", friend"',
    ]);
    assert.deepEqual(parsed, [
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push', error: 'insufficient_scope' },
      },
      { scheme: 'basic', params: { realm: 'say "hi", friend' } },
    ]);
    assert.deepEqual(parseChallenges('Basic realm="r", Bearer realm="t"').map((c) => c.scheme), ['basic', 'bearer']);
    assert.deepEqual(parseChallenges('Bearer realm=unquoted,service=s'), [{ scheme: 'bearer', params: { realm: 'unquoted', service: 's' } }]);
    assert.deepEqual(parseChallenges(undefined), []);
    assert.doesNotThrow(() => parseChallenges('=,,"""=\\'));
  });

  test('token URL and reply', () => {
    const [challenge] = parseChallenges('Bearer realm="https://auth.example/token?x=1",service="svc"');
    const url = dockerTokenUrl(challenge, ['repository:a/b:pull', 'repository:c/d:pull']);
    assert.equal(url.href, 'https://auth.example/token?x=1&service=svc&scope=repository%3Aa%2Fb%3Apull&scope=repository%3Ac%2Fd%3Apull');
    assert.throws(() => dockerTokenUrl({ scheme: 'bearer', params: {} }, []), AuthChallengeInvalid);
    assert.deepEqual(parseTokenReply(Buffer.from('{"token":"t","expires_in":120}'), 1000), { token: 't', expiresAt: 121_000 });
    assert.deepEqual(parseTokenReply(Buffer.from('{"access_token":"a"}'), 0), { token: 'a', expiresAt: 60_000 });
    assert.equal(parseTokenReply(Buffer.from('{"token":""}')), undefined);
    assert.equal(parseTokenReply(Buffer.from('nope')), undefined);
    assert.equal(repositoryScope('library/m', true), 'repository:library/m:pull,push');
  });
});

describe('which flow answers a bearer challenge', () => {
  test("Ollama's hosts use the signed flow, everything else the Docker token flow, unless configured", () => {
    assert.equal(authFlowFor('registry.ollama.ai'), 'ollama');
    assert.equal(authFlowFor('ollama.com'), 'ollama');
    assert.equal(authFlowFor('Registry.Ollama.AI:443'), 'ollama');
    assert.equal(authFlowFor('foo.ollama.com'), 'ollama');
    assert.equal(authFlowFor('notollama.com'), 'docker');
    assert.equal(authFlowFor('ghcr.io'), 'docker');
    assert.equal(authFlowFor('localhost:5000', { 'LOCALHOST:5000': 'ollama' }), 'ollama');
    assert.equal(authFlowFor('registry.ollama.ai', { 'registry.ollama.ai': 'docker' }), 'docker');
  });
});

describe('credentials', () => {
  const alice = { username: 'alice', password: 'pw-a' };

  test('host keys: scheme and path dropped, lower case', () => {
    assert.equal(normaliseRegistryKey('https://Index.Docker.io/v1/'), 'index.docker.io');
    assert.equal(normaliseRegistryKey('localhost:5000'), 'localhost:5000');
    assert.equal(envVarForHost('localhost:5000'), 'MODELFILE_REGISTRY_AUTH_LOCALHOST_5000');
    assert.equal(envVarForHost('my-registry.example.com'), 'MODELFILE_REGISTRY_AUTH_MY_REGISTRY_EXAMPLE_COM');
  });

  test('precedence: explicit, per-host variable, generic variables, Docker config', async () => {
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ auths: { 'https://h.example': { auth: Buffer.from('docker:pw-d').toString('base64') } } }));
    const env = {
      [envVarForHost('h.example')]: 'perhost:pw:with:colons',
      MODELFILE_REGISTRY_USER: 'generic',
      MODELFILE_REGISTRY_PASSWORD: 'pw-g',
    };
    assert.deepEqual(await credentialsProvider({ explicit: { 'H.example': alice }, env, dockerConfigPath: configPath })('h.example'), alice);
    assert.deepEqual(await credentialsProvider({ env, dockerConfigPath: configPath })('h.example'), { username: 'perhost', password: 'pw:with:colons' });
    const generic = { MODELFILE_REGISTRY_USER: 'generic', MODELFILE_REGISTRY_PASSWORD: 'pw-g' };
    assert.deepEqual(await credentialsProvider({ env: generic, dockerConfigPath: configPath })('h.example'), { username: 'generic', password: 'pw-g' });
    assert.deepEqual(await credentialsProvider({ env: {}, dockerConfigPath: configPath })('h.example'), { username: 'docker', password: 'pw-d' });
    assert.equal(await credentialsProvider({ env: {}, dockerConfigPath: configPath })('other.example'), undefined);
  });

  test('MODELFILE_REGISTRY_HOSTS limits the generic variables to the hosts listed', async () => {
    const env = { MODELFILE_REGISTRY_USER: 'u', MODELFILE_REGISTRY_PASSWORD: 'p', MODELFILE_REGISTRY_HOSTS: 'a.example, localhost:5000' };
    const provider = credentialsProvider({ env, dockerConfigPath: null });
    assert.deepEqual(await provider('localhost:5000'), { username: 'u', password: 'p' });
    assert.equal(await provider('b.example'), undefined);
  });

  test('Docker config entries: auth or username/password, Docker Hub aliases, missing or broken file', async () => {
    const config = {
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw-h').toString('base64') },
        'registry.example:5000': { username: 'u', password: 'p' },
        'broken.example': { auth: '!!!' },
      },
    };
    assert.deepEqual(dockerConfigLookup(config, 'registry-1.docker.io'), { username: 'hub', password: 'pw-h' });
    assert.deepEqual(dockerConfigLookup(config, 'docker.io'), { username: 'hub', password: 'pw-h' });
    assert.deepEqual(dockerConfigLookup(config, 'registry.example:5000'), { username: 'u', password: 'p' });
    assert.equal(dockerConfigLookup(config, 'registry.example'), undefined);
    assert.equal(dockerConfigLookup(config, 'broken.example'), undefined);
    assert.equal(dockerConfigLookup(null, 'x'), undefined);
    assert.equal(await credentialsProvider({ env: {}, dockerConfigPath: join(dir, 'absent.json') })('x'), undefined);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    assert.equal(await credentialsProvider({ env: {}, dockerConfigPath: bad })('x'), undefined);
  });
});
