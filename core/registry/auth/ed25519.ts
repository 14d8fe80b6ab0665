// Ed25519 through @noble/ed25519 (an ES module, loaded once with a dynamic import that esbuild bundles), set up
// for synchronous use with node:crypto's SHA-512. Signing, public-key derivation and fresh seeds.
import { createHash, randomBytes } from 'node:crypto';

type Noble = typeof import('@noble/ed25519', { with: { 'resolution-mode': 'import' } });

let loaded: Promise<Noble> | undefined;

function noble(): Promise<Noble> {
  loaded ??= import('@noble/ed25519').then((ed) => {
    ed.hashes.sha512 = (message: Uint8Array) => new Uint8Array(createHash('sha512').update(message).digest());
    return ed;
  });
  return loaded;
}

/** The 64-byte Ed25519 signature of `message` (no pre-hash) with the 32-byte private seed. */
export async function signEd25519(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const ed = await noble();
  return ed.sign(message, seed);
}

/** The 32-byte public key of a 32-byte private seed. */
export async function ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array> {
  const ed = await noble();
  return ed.getPublicKey(seed);
}

/** Checks a signature (used by tests and by key self-checks). */
export async function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  const ed = await noble();
  return ed.verify(signature, message, publicKey);
}

/** 32 random bytes from the operating system: a new private seed. */
export function randomSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}
