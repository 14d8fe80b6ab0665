// Ollama's signed-key authentication (spec §5.2): the challenge parser with Ollama's quirk, the token URL with
// service/scope/ts/nonce in Go's sorted form encoding, the realm-host check, the `<public key>:<signature>` header
// for the token request, the `{"token"}` reply, and client2's proactive token. Transport is supplied by the caller.
import { createHash, randomBytes } from 'node:crypto';
import { AuthChallengeInvalid } from '../errors';
import { signEd25519 } from './ed25519';
import { publicKeyField, type Ed25519KeyPair } from './openssh-key';

/** base64 of the hex SHA-256 of the empty body: the third field of every check-data string. */
export const ZERO_SUM = Buffer.from(createHash('sha256').update('').digest('hex')).toString('base64');

/** The three values Ollama reads from a `WWW-Authenticate: Bearer …` header. */
export interface OllamaChallenge {
  realm: string;
  service: string;
  scope: string;
}

/**
 * Reads one value the way Ollama does: find `key=`, skip it and one more character (the opening quote), then take
 * characters up to a `"` that is followed by `,` or the end. Unquoted values come out wrong, as in Ollama (quirk).
 */
function quirkValue(header: string, key: string): string {
  const at = header.indexOf(`${key}=`);
  if (at < 0) return '';
  const start = at + key.length + 2;
  let end = start;
  while (end < header.length) {
    if (header[end] === '"' && (end + 1 >= header.length || header[end + 1] === ',')) break;
    end++;
  }
  return header.slice(start, end);
}

/** Parses a challenge exactly as Ollama does: a leading `Bearer ` is dropped, then realm, service and scope. */
export function parseOllamaChallenge(header: string): OllamaChallenge {
  const rest = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header;
  return { realm: quirkValue(rest, 'realm'), service: quirkValue(rest, 'service'), scope: quirkValue(rest, 'scope') };
}

/** Go's url.QueryEscape: everything but `A–Z a–z 0–9 - _ . ~` is %XX-escaped (upper-case hex), space becomes `+`. */
export function goQueryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's url.Values.Encode: keys sorted bytewise, values of a key in insertion order, joined with `&`. */
export function goEncodeValues(values: ReadonlyArray<readonly [string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of values) {
    const list = byKey.get(k);
    if (list) list.push(v);
    else byKey.set(k, [v]);
  }
  const keys = [...byKey.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return keys.flatMap((k) => (byKey.get(k) ?? []).map((v) => `${goQueryEscape(k)}=${goQueryEscape(v)}`)).join('&');
}

/** Options that tests pin; real callers leave them out. */
export interface TokenUrlOptions {
  /** Unix seconds; default now. */
  nowSeconds?: number;
  /** 16 bytes; default random. */
  nonceBytes?: Uint8Array;
}

/**
 * The token URL of a challenge: the realm with its own query plus `service`, one `scope` per space-separated scope
 * (an empty scope still gives `scope=`), `ts` and `nonce`, serialised sorted with form escaping.
 */
export function ollamaTokenUrl(challenge: OllamaChallenge, options: TokenUrlOptions = {}): string {
  const realm = challenge.realm.split('#')[0];
  let parsed: URL;
  try {
    parsed = new URL(realm);
  } catch {
    throw new AuthChallengeInvalid(`the registry sent an authentication realm that is not a URL ("${realm}"); the registry is misconfigured`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new AuthChallengeInvalid(`the registry sent an authentication realm with scheme ${parsed.protocol}; only http and https are used`);
  }
  const q = realm.indexOf('?');
  const base = q < 0 ? realm : realm.slice(0, q);
  const values: Array<[string, string]> = [];
  if (q >= 0) for (const [k, v] of new URLSearchParams(realm.slice(q + 1))) values.push([k, v]);
  values.push(['service', challenge.service]);
  for (const scope of challenge.scope.split(' ')) values.push(['scope', scope]);
  values.push(['ts', String(options.nowSeconds ?? Math.floor(Date.now() / 1000))]);
  values.push(['nonce', Buffer.from(options.nonceBytes ?? randomBytes(16)).toString('base64url')]);
  return `${base}?${goEncodeValues(values)}`;
}

/** Ollama's rule: the realm must be on the very host[:port] that sent the challenge. Throws otherwise. */
export function checkRealmHost(tokenUrl: string, requestUrl: URL): void {
  const realmHost = new URL(tokenUrl).host;
  if (realmHost !== requestUrl.host) {
    throw new AuthChallengeInvalid(`realm host "${realmHost}" does not match original host "${requestUrl.host}"`);
  }
}

/** The check-data Ollama signs for a URL: `GET,<url>,<ZERO_SUM>`. */
export function checkData(url: string): Buffer {
  return Buffer.from(`GET,${url},${ZERO_SUM}`, 'utf8');
}

/** The token-request `Authorization` value: `<public key field>:<base64 signature>` (no `Bearer`). */
export async function signedAuthorization(key: Ed25519KeyPair, url: string): Promise<string> {
  const signature = await signEd25519(key.seed, new Uint8Array(checkData(url)));
  return `${publicKeyField(key.publicKey)}:${Buffer.from(signature).toString('base64')}`;
}

/**
 * client2's proactive bearer token: `<base64(url)>:<public key field>:<base64 signature>` for
 * `url = https://ollama.com?ts=<unix seconds>`.
 */
export async function makeProactiveToken(key: Ed25519KeyPair, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const url = `https://ollama.com?ts=${nowSeconds}`;
  const signature = await signEd25519(key.seed, new Uint8Array(checkData(url)));
  return `${Buffer.from(url).toString('base64')}:${publicKeyField(key.publicKey)}:${Buffer.from(signature).toString('base64')}`;
}

/** Reads the `{"token": "…"}` reply of a token endpoint; undefined if there is no non-empty token. */
export function tokenFromReply(body: Uint8Array): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    if (parsed !== null && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      for (const key of ['token', 'access_token']) {
        const v = o[key];
        if (typeof v === 'string' && v.length > 0) return v;
      }
    }
  } catch {
    // fall through
  }
  return undefined;
}
