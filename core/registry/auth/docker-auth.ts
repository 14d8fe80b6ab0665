// Docker/OCI registry authentication: a proper RFC 7235 parser for `WWW-Authenticate` (several challenges, quoted
// strings with escapes, token68), the token-service URL (service + scopes), the token reply (`token` or
// `access_token`, `expires_in`), and Basic credentials as a header value.
import { AuthChallengeInvalid } from '../errors';
import type { BasicCredentials } from './credentials';

/** One challenge: the scheme in lower case, its parameters with lower-case names. */
export interface Challenge {
  scheme: string;
  params: Readonly<Record<string, string>>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** Parses every challenge in one or more `WWW-Authenticate` header values. Never throws; skips garbage. */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = typeof header === 'string' ? [header] : header;
  const out: Challenge[] = [];
  for (const value of values) parseOne(value, out);
  return out;
}

function parseOne(s: string, out: Challenge[]): void {
  let i = 0;
  const skip = (chars: RegExp): void => {
    while (i < s.length && chars.test(s[i])) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && TOKEN_CHAR.test(s[i])) i++;
    return s.slice(start, i);
  };
  const quoted = (): string => {
    i++; // opening quote
    let v = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
      i++;
    }
    i++; // closing quote (or the end)
    return v;
  };
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (i < s.length) {
    skip(/[\s,]/);
    if (i >= s.length) break;
    const word = token();
    if (word === '') {
      i++; // a character that cannot start anything: skip it
      continue;
    }
    skip(/[ \t]/);
    if (s[i] === '=') {
      // `name=value` belongs to the current challenge; token68 padding (`abc==`) gives an empty value.
      i++;
      skip(/[ \t]/);
      const value = s[i] === '"' ? quoted() : token();
      skip(/=/);
      if (current) current.params[word.toLowerCase()] = value;
      continue;
    }
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
  }
}

/** The URL to ask a Docker token service for a token: realm + `service` + one `scope` per scope. */
export function dockerTokenUrl(challenge: Challenge, scopes: readonly string[]): URL {
  const realm = challenge.params['realm'];
  if (!realm) throw new AuthChallengeInvalid('the registry asked for a bearer token but named no realm; the registry is misconfigured');
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new AuthChallengeInvalid(`the registry sent a token realm that is not a URL ("${realm}"); the registry is misconfigured`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AuthChallengeInvalid(`the registry sent a token realm with scheme ${url.protocol}; only http and https are used`);
  }
  const service = challenge.params['service'];
  if (service) url.searchParams.append('service', service);
  for (const scope of scopes) if (scope) url.searchParams.append('scope', scope);
  return url;
}

/** A token and when it stops being used (ms since the epoch). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Default lifetime of a token that does not say (the Docker token spec's 60 s). */
export const DEFAULT_TOKEN_SECONDS = 60;

/** Reads a token reply: `token` or `access_token`, and `expires_in` (seconds). Undefined if there is no token. */
export function parseTokenReply(body: Uint8Array, now = Date.now()): IssuedToken | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  const token = [o['token'], o['access_token']].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (token === undefined) return undefined;
  const expiresIn = typeof o['expires_in'] === 'number' && o['expires_in'] > 0 ? o['expires_in'] : DEFAULT_TOKEN_SECONDS;
  return { token, expiresAt: now + expiresIn * 1000 };
}

/** `Basic <base64(user:password)>`. */
export function basicAuthorization(credentials: BasicCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** The scope string of a repository: `repository:<ns>/<model>:pull` or `:pull,push`. */
export function repositoryScope(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
}
