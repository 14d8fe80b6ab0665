// Ollama's signing key on disk: parser and writer of the OpenSSH private-key format (`openssh-key-v1`, cipher none,
// one Ed25519 key) and of the `ssh-ed25519 <base64>` public-key line, laid out exactly as Ollama writes them
// (spec §5.2): PEM wrapped at 64 columns, empty comment, 1,2,3… padding, private 0600, public 0644, folder 0755.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { KeyInvalid, KeyMissing } from '../errors';
import { ed25519PublicKey, randomSeed } from './ed25519';

/** An Ed25519 key pair as stored in an OpenSSH private-key file. */
export interface Ed25519KeyPair {
  /** The 32-byte private seed. */
  seed: Uint8Array;
  /** The 32-byte public key. */
  publicKey: Uint8Array;
  /** The comment stored with the key (Ollama writes an empty one). */
  comment: string;
}

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const PEM_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const PEM_END = '-----END OPENSSH PRIVATE KEY-----';
const KEY_TYPE = 'ssh-ed25519';
const GENERATE_HINT = 'Ollama needs an unencrypted Ed25519 key: move this file away and let `ollama serve` (or this tool) create a new one';

/** Where Ollama keeps the user's key: `~/.ollama/id_ed25519`. */
export function defaultKeyPath(): string {
  return join(homedir(), '.ollama', 'id_ed25519');
}

/** Sequential reader of SSH wire data with bounds checks. */
class WireReader {
  private offset = 0;
  constructor(
    private readonly data: Buffer,
    private readonly fail: (reason: string) => never,
  ) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  uint32(what: string): number {
    if (this.remaining < 4) this.fail(`the file is truncated (in ${what})`);
    const v = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  bytes(what: string): Buffer {
    const length = this.uint32(what);
    if (length > this.remaining) this.fail(`the file is truncated (in ${what})`);
    const v = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }

  string(what: string): string {
    return this.bytes(what).toString('latin1');
  }

  rest(): Buffer {
    const v = this.data.subarray(this.offset);
    this.offset = this.data.length;
    return v;
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function wireString(data: Uint8Array | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
  return Buffer.concat([u32(b.length), b]);
}

/** The SSH wire form of an Ed25519 public key: string "ssh-ed25519", string key. */
export function publicKeyBlob(publicKey: Uint8Array): Buffer {
  return Buffer.concat([wireString(KEY_TYPE), wireString(publicKey)]);
}

/** The base64 second field of the authorized_keys line: what Ollama sends as the key in its signatures. */
export function publicKeyField(publicKey: Uint8Array): string {
  return publicKeyBlob(publicKey).toString('base64');
}

/** The public-key file content Ollama writes: `ssh-ed25519 <base64>` and a newline (no comment). */
export function authorizedKeyLine(publicKey: Uint8Array): string {
  return `${KEY_TYPE} ${publicKeyField(publicKey)}\n`;
}

function keyTypeName(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return n <= blob.length - 4 && n < 64 ? blob.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

/**
 * Parses an OpenSSH private-key file holding one unencrypted Ed25519 key. `file` names the source in errors.
 * Throws KeyInvalid for other PEM types, encrypted keys, non-Ed25519 keys, damaged or truncated data.
 */
export function parseOpenSshPrivateKey(text: string, file = 'private key'): Ed25519KeyPair {
  const fail = (reason: string, hint = GENERATE_HINT): never => {
    throw new KeyInvalid(file, reason, hint);
  };
  const begin = text.indexOf(PEM_BEGIN);
  if (begin < 0) {
    const other = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
    if (!other) fail('not a PEM private-key file');
    const kind = other?.[1] ?? '';
    if (kind.includes('RSA')) fail('this is an RSA key (PEM "RSA PRIVATE KEY")');
    if (kind.includes('ENCRYPTED')) fail('this is an encrypted PKCS#8 key');
    fail(`this is a "${kind}" PEM block, not an OpenSSH private key`);
  }
  const end = text.indexOf(PEM_END, begin);
  if (end < 0) fail('the file is truncated (no END line)');
  const body = text.slice(begin + PEM_BEGIN.length, end).replace(/[\r\n\t ]+/g, '');
  if (body.length === 0 || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    fail('the base64 text between the BEGIN and END lines is damaged');
  }
  const data = Buffer.from(body, 'base64');
  if (data.length < MAGIC.length || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    fail('not in openssh-key-v1 format');
  }
  const r = new WireReader(data.subarray(MAGIC.length), fail);
  const cipher = r.string('cipher name');
  const kdf = r.string('kdf name');
  r.bytes('kdf options');
  if (cipher !== 'none' || kdf !== 'none') {
    fail(
      `the key is protected by a passphrase (cipher ${cipher}, kdf ${kdf})`,
      'Ollama cannot use encrypted keys: remove the passphrase with `ssh-keygen -p -N "" -f <file>`, or create a new key',
    );
  }
  const count = r.uint32('key count');
  if (count !== 1) fail(`the file holds ${count} keys; exactly one is expected`);
  const publicBlob = r.bytes('public key');
  const type = keyTypeName(publicBlob);
  if (type !== KEY_TYPE) fail(`this is a ${type} key, not an Ed25519 key`);
  const privateSection = r.bytes('private section');
  if (r.remaining !== 0) fail('unexpected bytes after the private section');
  if (privateSection.length % 8 !== 0) fail('the private section is not padded to 8 bytes');

  const p = new WireReader(privateSection, fail);
  const check1 = p.uint32('check value');
  const check2 = p.uint32('check value');
  if (check1 !== check2) fail('the two check values differ: the key is damaged or encrypted');
  const innerType = p.string('key type');
  if (innerType !== KEY_TYPE) fail(`this is a ${innerType} key, not an Ed25519 key`);
  const publicKey = p.bytes('public key');
  const secret = p.bytes('private key');
  const comment = p.bytes('comment').toString('utf8');
  const padding = p.rest();
  for (let i = 0; i < padding.length; i++) {
    if (padding[i] !== i + 1) fail('the padding after the key is damaged');
  }
  if (publicKey.length !== 32 || secret.length !== 64) fail('the Ed25519 key has the wrong length');
  if (!secret.subarray(32).equals(publicKey)) fail('the private and public halves of the key do not match');
  const outer = new WireReader(publicBlob, fail);
  outer.string('public key type');
  if (!outer.bytes('public key').equals(publicKey)) fail('the public key in the header does not match the private key');
  return { seed: new Uint8Array(secret.subarray(0, 32)), publicKey: new Uint8Array(publicKey), comment };
}

/** Wraps base64 at 64 columns between PEM armor lines, as Go's encoding/pem does. */
function pem(type: string, data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

/**
 * Encodes a key pair in OpenSSH format, byte-compatible with Go's `ssh.MarshalPrivateKey(key, "")` as Ollama
 * calls it. `checkInt` is random unless given (tests pin it).
 */
export function encodeOpenSshPrivateKey(key: Ed25519KeyPair, checkInt?: number): string {
  const check = checkInt ?? randomBytes(4).readUInt32BE(0);
  const secret = Buffer.concat([Buffer.from(key.seed), Buffer.from(key.publicKey)]);
  const unpadded = Buffer.concat([
    u32(check),
    u32(check),
    wireString(KEY_TYPE),
    wireString(key.publicKey),
    wireString(secret),
    wireString(Buffer.from(key.comment, 'utf8')),
  ]);
  const padLength = (8 - (unpadded.length % 8)) % 8;
  const padding = Buffer.alloc(padLength);
  for (let i = 0; i < padLength; i++) padding[i] = i + 1;
  const data = Buffer.concat([
    MAGIC,
    wireString('none'),
    wireString('none'),
    wireString(''),
    u32(1),
    wireString(publicKeyBlob(key.publicKey)),
    wireString(Buffer.concat([unpadded, padding])),
  ]);
  return pem('OPENSSH PRIVATE KEY', data);
}

/** Creates a fresh key pair in memory (random seed, empty comment). */
export async function newKeyPair(): Promise<Ed25519KeyPair> {
  const seed = randomSeed();
  return { seed, publicKey: await ed25519PublicKey(seed), comment: '' };
}

/** Reads and parses a private-key file; a missing file gives KeyMissing, a bad one KeyInvalid. */
export async function readKeyFile(path = defaultKeyPath()): Promise<Ed25519KeyPair> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new KeyMissing(path);
    }
    throw new KeyInvalid(path, `cannot read the key (${code ?? 'error'})`, 'check the file permissions');
  }
  const key = parseOpenSshPrivateKey(text, path);
  const derived = await ed25519PublicKey(key.seed);
  if (!Buffer.from(derived).equals(Buffer.from(key.publicKey))) {
    throw new KeyInvalid(path, 'the private seed does not belong to the stored public key', GENERATE_HINT);
  }
  return key;
}

async function writeNew(path: string, content: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(path, mode);
}

/**
 * Writes a new key pair the way `ollama serve` does: `<path>` (0600) and `<path>.pub` (0644), creating the folder
 * with 0755. Refuses to overwrite an existing private key. Returns the key.
 */
export async function writeNewKeyFiles(path = defaultKeyPath(), key?: Ed25519KeyPair): Promise<Ed25519KeyPair> {
  const pair = key ?? (await newKeyPair());
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  try {
    await writeNew(path, encodeOpenSshPrivateKey(pair), 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new KeyInvalid(path, 'a key already exists', 'use it, or move it away first to create a new one');
    }
    throw err;
  }
  try {
    await rm(`${path}.pub`, { force: true });
    await writeNew(`${path}.pub`, authorizedKeyLine(pair.publicKey), 0o644);
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return pair;
}

/** Loads the key at `path`, creating it (as `ollama serve` does) if the private file does not exist. */
export async function loadOrCreateKey(path = defaultKeyPath()): Promise<Ed25519KeyPair> {
  try {
    return await readKeyFile(path);
  } catch (err) {
    if (err instanceof KeyMissing) {
      try {
        return await writeNewKeyFiles(path);
      } catch (writeErr) {
        if (writeErr instanceof KeyInvalid) return readKeyFile(path); // created concurrently by someone else
        throw writeErr;
      }
    }
    throw err;
  }
}
