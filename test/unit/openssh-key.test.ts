// Ollama's key file: our OpenSSH private-key parser and writer (layout, padding, PEM wrapping, file modes),
// compatibility with ssh-keygen in both directions, clear errors for keys Ollama cannot use, and signatures that
// node:crypto verifies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signEd25519 } from '../../core/registry/auth/ed25519';
import {
  authorizedKeyLine,
  encodeOpenSshPrivateKey,
  loadOrCreateKey,
  newKeyPair,
  parseOpenSshPrivateKey,
  publicKeyField,
  readKeyFile,
  writeNewKeyFiles,
} from '../../core/registry/auth/openssh-key';
import { checkData, signedAuthorization } from '../../core/registry/auth/ollama-auth';
import { KeyInvalid, KeyMissing } from '../../core/registry/errors';

const dir = mkdtempSync(join(tmpdir(), 'modelfile-key-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hasSshKeygen(): boolean {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // ssh-keygen -? exits non-zero but exists; ENOENT means it is missing
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function sshKeygen(file: string, ...args: string[]): void {
  execFileSync('ssh-keygen', ['-q', '-f', file, ...args], { stdio: 'ignore', timeout: 30_000 });
}

function nodeVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return verify(null, message, key, signature);
}

/** A fixed key (RFC 8032 test 1 seed) so the encoding can be checked byte for byte. */
const SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const PUBLIC = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');

describe('encoding', () => {
  test('the file is openssh-key-v1, cipher none, one key, empty comment, 1,2,3… padding, PEM at 64 columns', () => {
    const pem = encodeOpenSshPrivateKey({ seed: SEED, publicKey: PUBLIC, comment: '' }, 0x01020304);
    const lines = pem.split('\n');
    assert.equal(lines[0], '-----BEGIN OPENSSH PRIVATE KEY-----');
    assert.equal(lines[lines.length - 2], '-----END OPENSSH PRIVATE KEY-----');
    assert.equal(lines[lines.length - 1], '', 'ends with a newline');
    const body = lines.slice(1, -2);
    assert.ok(body.slice(0, -1).every((l) => l.length === 64));
    assert.ok(body[body.length - 1].length <= 64);

    const data = Buffer.from(body.join(''), 'base64');
    const expected = Buffer.concat([
      Buffer.from('openssh-key-v1\0'),
      Buffer.from('000000046e6f6e65', 'hex'), // "none"
      Buffer.from('000000046e6f6e65', 'hex'), // "none"
      Buffer.from('00000000', 'hex'), // kdf options ""
      Buffer.from('00000001', 'hex'), // one key
      Buffer.from('00000033', 'hex'), // public blob: 4+11+4+32 = 51
      Buffer.from('0000000b', 'hex'),
      Buffer.from('ssh-ed25519'),
      Buffer.from('00000020', 'hex'),
      PUBLIC,
      Buffer.from('00000088', 'hex'), // private section: 8 + 15 + 36 + 68 + 4 = 131, padded to 136
      Buffer.from('0102030401020304', 'hex'),
      Buffer.from('0000000b', 'hex'),
      Buffer.from('ssh-ed25519'),
      Buffer.from('00000020', 'hex'),
      PUBLIC,
      Buffer.from('00000040', 'hex'),
      SEED,
      PUBLIC,
      Buffer.from('00000000', 'hex'), // comment ""
      Buffer.from('0102030405', 'hex'), // padding
    ]);
    assert.deepEqual(data, expected);
  });

  test('the public line is "ssh-ed25519 <base64>\\n" and the field is the SSH wire blob', () => {
    const line = authorizedKeyLine(PUBLIC);
    assert.match(line, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=*\n$/);
    assert.equal(line, `ssh-ed25519 ${publicKeyField(PUBLIC)}\n`);
  });

  test('parse(encode(k)) gives k back', async () => {
    const key = await newKeyPair();
    const parsed = parseOpenSshPrivateKey(encodeOpenSshPrivateKey({ ...key, comment: 'hello' }));
    assert.deepEqual(Buffer.from(parsed.seed), Buffer.from(key.seed));
    assert.deepEqual(Buffer.from(parsed.publicKey), Buffer.from(key.publicKey));
    assert.equal(parsed.comment, 'hello');
  });
});

describe('key files', () => {
  test('writeNewKeyFiles creates the folder 0755, the private key 0600 and the public key 0644, and refuses to overwrite', async () => {
    const path = join(dir, 'home1', '.ollama', 'id_ed25519');
    const key = await writeNewKeyFiles(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(`${path}.pub`).mode & 0o777, 0o644);
    assert.equal(statSync(join(dir, 'home1', '.ollama')).mode & 0o777, 0o755);
    assert.equal(readFileSync(`${path}.pub`, 'utf8'), authorizedKeyLine(key.publicKey));
    const read = await readKeyFile(path);
    assert.deepEqual(Buffer.from(read.seed), Buffer.from(key.seed));
    await assert.rejects(writeNewKeyFiles(path), (err: unknown) => err instanceof KeyInvalid && /already exists/.test(err.message));
  });

  test('readKeyFile of a missing file is KeyMissing; loadOrCreateKey creates the pair', async () => {
    const path = join(dir, 'home2', '.ollama', 'id_ed25519');
    await assert.rejects(readKeyFile(path), KeyMissing);
    const created = await loadOrCreateKey(path);
    const again = await loadOrCreateKey(path);
    assert.deepEqual(Buffer.from(again.publicKey), Buffer.from(created.publicKey));
  });

  test('signatures over the check-data verify with node:crypto', async () => {
    const key = await newKeyPair();
    const url = 'https://registry.ollama.ai/v2/token?nonce=abc&scope=repository%3Alibrary%2Fx%3Apull&service=registry.ollama.ai&ts=1';
    const header = await signedAuthorization(key, url);
    const [field, signature] = header.split(':');
    assert.equal(field, publicKeyField(key.publicKey));
    assert.ok(nodeVerify(key.publicKey, checkData(url), Buffer.from(signature, 'base64')));
    assert.ok(!nodeVerify(key.publicKey, checkData(`${url}x`), Buffer.from(signature, 'base64')));
    const raw = await signEd25519(key.seed, new Uint8Array(Buffer.from('hello')));
    assert.equal(raw.length, 64);
    assert.ok(nodeVerify(key.publicKey, Buffer.from('hello'), raw));
  });
});

describe('compatibility with ssh-keygen', () => {
  before(() => assert.ok(hasSshKeygen(), 'ssh-keygen is not installed: run `bash scripts/setup-system.sh` as root (Debian package openssh-client)'));
  test('a key made by ssh-keygen -t ed25519 -N "" -C "" parses, and matches its .pub file', async () => {
    const file = join(dir, 'sshkeygen_ed25519');
    sshKeygen(file, '-t', 'ed25519', '-N', '', '-C', '');
    const key = await readKeyFile(file);
    const pub = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
    assert.equal(pub[0], 'ssh-ed25519');
    assert.equal(pub[1], publicKeyField(key.publicKey));
    assert.equal(key.comment, '');
  });

  test('ssh-keygen reads the keys we write (-y prints the same public key)', async () => {
    const path = join(dir, 'ours', 'id_ed25519');
    const key = await writeNewKeyFiles(path);
    const printed = execFileSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' }).trim().split(/\s+/);
    assert.equal(printed[1], publicKeyField(key.publicKey));
  });

  test('an encrypted key is refused with advice to remove the passphrase', () => {
    const file = join(dir, 'encrypted');
    sshKeygen(file, '-t', 'ed25519', '-N', 'a passphrase', '-C', '');
    assert.throws(() => parseOpenSshPrivateKey(readFileSync(file, 'utf8'), file), (err: unknown) => {
      assert.ok(err instanceof KeyInvalid);
      assert.match(err.message, /protected by a passphrase/);
      assert.match(err.message, /ssh-keygen -p/);
      return true;
    });
  });

  test('RSA keys are refused, in OpenSSH and in PEM format', () => {
    const file = join(dir, 'rsa');
    sshKeygen(file, '-t', 'rsa', '-b', '1024', '-N', '', '-C', '');
    assert.throws(() => parseOpenSshPrivateKey(readFileSync(file, 'utf8')), /ssh-rsa key, not an Ed25519 key/);
    const pemFile = join(dir, 'rsa_pem');
    sshKeygen(pemFile, '-t', 'rsa', '-b', '1024', '-N', '', '-C', '', '-m', 'PEM');
    assert.throws(() => parseOpenSshPrivateKey(readFileSync(pemFile, 'utf8')), /RSA key/);
  });
});

describe('damaged files', () => {
  const good = encodeOpenSshPrivateKey({ seed: SEED, publicKey: PUBLIC, comment: '' }, 7);
  const body = good.split('\n').slice(1, -2).join('');
  const wrap = (b64: string): string => `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`;

  test('truncated data', () => {
    const data = Buffer.from(body, 'base64');
    assert.throws(() => parseOpenSshPrivateKey(wrap(data.subarray(0, 120).toString('base64'))), /truncated/);
    assert.throws(() => parseOpenSshPrivateKey(good.slice(0, good.length / 2)), /truncated \(no END line\)/);
  });

  test('bad base64', () => {
    assert.throws(() => parseOpenSshPrivateKey(wrap(`${body.slice(0, 40)}!${body.slice(41)}`)), /base64 .* damaged/);
  });

  test('check values that differ', () => {
    const data = Buffer.from(body, 'base64');
    const at = data.indexOf(Buffer.from('0000000700000007', 'hex'));
    assert.ok(at > 0);
    data[at + 7] = 8;
    assert.throws(() => parseOpenSshPrivateKey(wrap(data.toString('base64'))), /check values differ/);
  });

  test('not a key at all', () => {
    assert.throws(() => parseOpenSshPrivateKey('hello'), /not a PEM private-key file/);
    assert.throws(() => parseOpenSshPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), /"PRIVATE KEY" PEM block/);
  });

  test('a stored public key that does not belong to the seed is refused when reading the file', async () => {
    const other = await newKeyPair();
    const file = join(dir, 'mismatch');
    writeFileSync(file, encodeOpenSshPrivateKey({ seed: SEED, publicKey: other.publicKey, comment: '' }));
    await assert.rejects(readKeyFile(file), /does not belong/);
  });
});
