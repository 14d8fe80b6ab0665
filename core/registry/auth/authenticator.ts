// Answers a registry's 401 challenge and remembers the result per host and scope. Which flow answers:
//
//   1. The per-host setting (`authFlows` option) wins: 'ollama' or 'docker'.
//   2. Otherwise hosts of Ollama's own registry (registry.ollama.ai, ollama.com and their subdomains) use Ollama's
//      signed-key flow (spec §5.2) for `Bearer` challenges.
//   3. Every other host uses the Docker flow: a `Bearer realm=…` challenge goes to that token service
//      (anonymously, or with the host's Basic credentials when some are configured); a `Basic` challenge is
//      answered with the host's credentials.
//
// Tokens are cached per host and scope until shortly before they expire; Basic credentials per host. Nothing
// secret goes into an error message or a trace event.
import type { Dispatcher } from 'undici';
import { Unauthorized } from '../../errors';
import { AuthChallengeInvalid, decodeRegistryError, unauthorizedFor } from '../errors';
import type { BasicCredentials, CredentialsProvider } from './credentials';
import {
  basicAuthorization,
  dockerTokenUrl,
  parseChallenges,
  parseTokenReply,
  DEFAULT_TOKEN_SECONDS,
  type Challenge,
} from './docker-auth';
import type { Ed25519KeyPair } from './openssh-key';
import { checkRealmHost, ollamaTokenUrl, parseOllamaChallenge, signedAuthorization, tokenFromReply } from './ollama-auth';

/** Which protocol answers a host's bearer challenges. */
export type AuthFlow = 'ollama' | 'docker';

/** Hosts that speak Ollama's signed-key flow unless configured otherwise. */
export const OLLAMA_REGISTRY_HOSTS: readonly string[] = ['registry.ollama.ai', 'ollama.com'];

/** The flow for a host: the configured one, else 'ollama' for Ollama's registry hosts, else 'docker'. */
export function authFlowFor(host: string, configured?: Readonly<Record<string, AuthFlow>>): AuthFlow {
  const h = host.toLowerCase();
  if (configured) {
    for (const [k, flow] of Object.entries(configured)) if (k.toLowerCase() === h) return flow;
  }
  const bare = h.replace(/:\d+$/, '');
  return OLLAMA_REGISTRY_HOSTS.some((o) => bare === o || bare.endsWith(`.${o}`)) ||
    bare === 'ollama.ai' ||
    bare.endsWith('.ollama.ai')
    ? 'ollama'
    : 'docker';
}

/** A small GET used for token requests; the caller supplies transport, timeouts and the byte cap. */
export type TokenFetch = (
  url: string,
  headers: Readonly<Record<string, string>>,
  ctx: ChallengeContext,
) => Promise<{ status: number; body: Buffer }>;

/** Events the authenticator reports (no secrets in them). */
export interface AuthEvent {
  host: string;
  flow: 'ollama' | 'docker-token' | 'basic';
  scope: string;
  /** Whether credentials or a key were used (false: anonymous token). */
  identified: boolean;
}

export interface AuthenticatorOptions {
  credentials: CredentialsProvider;
  /** Loads Ollama's key, only when the signed flow is needed. */
  ollamaKey: () => Promise<Ed25519KeyPair>;
  authFlows?: Readonly<Record<string, AuthFlow>>;
  fetchToken: TokenFetch;
  /** Whether Basic credentials may be sent to this URL (https, or a host the user allowed plain http for). */
  mayCarryCredentials: (url: URL) => boolean;
  onAuth?: (event: AuthEvent) => void;
}

/** What the request that got the 401 was. */
export interface ChallengeContext {
  requestUrl: URL;
  /** `namespace/model`. */
  repository: string;
  push: boolean;
  /** The scope the request needs, e.g. `repository:library/m:pull`. */
  scope: string;
  signal?: AbortSignal;
  /** The transport the request used (TLS settings included); token requests go the same way. */
  dispatcher?: Dispatcher;
}

/** Renew tokens this long before they expire. */
const EXPIRY_MARGIN_MS = 5_000;

export class Authenticator {
  private readonly tokens = new Map<string, { header: string; expiresAt: number }>();
  private readonly basic = new Map<string, string>();

  constructor(private readonly options: AuthenticatorOptions) {}

  /** The Authorization value to send to `host` for `scope`, if one is known. */
  authorization(host: string, scope: string, now = Date.now()): string | undefined {
    const h = host.toLowerCase();
    for (const key of [`${h} ${scope}`, `${h} ${scope.replace(/:pull$/, ':pull,push')}`]) {
      const cached = this.tokens.get(key);
      if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > now) return cached.header;
    }
    return this.basic.get(h);
  }

  /** Forgets everything known for a host (after the registry refused it). */
  forget(host: string): void {
    const h = host.toLowerCase();
    this.basic.delete(h);
    for (const key of [...this.tokens.keys()]) if (key.startsWith(`${h} `)) this.tokens.delete(key);
  }

  /**
   * Handles a 401: obtains a token or selects credentials so that the next attempt carries them. Throws
   * Unauthorized (with advice), AuthChallengeInvalid, or a RegistryError from the token service.
   */
  async answer(header: string | readonly string[] | undefined, ctx: ChallengeContext): Promise<void> {
    const host = ctx.requestUrl.host.toLowerCase();
    const errorContext = { host, repository: ctx.repository, operation: 'token' as const, push: ctx.push };
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (!bearer && !basic) {
      const offered = challenges.map((c) => c.scheme).join(', ');
      if (offered) {
        throw new AuthChallengeInvalid(
          `${host} asks for authentication this client does not speak (${offered}); only Bearer tokens and Basic are supported`,
        );
      }
      throw unauthorizedFor(errorContext);
    }
    if (bearer && authFlowFor(host, this.options.authFlows) === 'ollama') {
      const raw = (typeof header === 'string' ? [header] : (header ?? [])).find((h) => /^\s*bearer\s/i.test(h)) ?? '';
      await this.ollamaToken(raw.trim(), host, ctx);
      return;
    }
    if (bearer) {
      await this.dockerToken(bearer, host, ctx);
      return;
    }
    const credentials = await this.options.credentials(host);
    if (!credentials) throw unauthorizedFor(errorContext);
    if (!this.options.mayCarryCredentials(ctx.requestUrl)) throw insecureRefusal(host);
    this.basic.set(host, basicAuthorization(credentials));
    this.options.onAuth?.({ host, flow: 'basic', scope: ctx.scope, identified: true });
  }

  private async ollamaToken(header: string, host: string, ctx: ChallengeContext): Promise<void> {
    const challenge = parseOllamaChallenge(header);
    const url = ollamaTokenUrl(challenge);
    checkRealmHost(url, ctx.requestUrl);
    const key = await this.options.ollamaKey();
    const authorization = await signedAuthorization(key, url);
    const reply = await this.options.fetchToken(url, { authorization }, ctx);
    if (reply.status === 401 || reply.status === 403) {
      const base = unauthorizedFor({ host, repository: ctx.repository, operation: 'token', push: ctx.push, authenticated: true });
      throw new Unauthorized(
        `${base.message}; ${host} did not accept your Ollama key: add the contents of ~/.ollama/id_ed25519.pub ` +
          'to your ollama.com account (Settings → Keys)',
      );
    }
    if (reply.status >= 400) {
      throw decodeRegistryError(reply.status, reply.body, { host, repository: ctx.repository, operation: 'token', push: ctx.push });
    }
    const token = tokenFromReply(reply.body);
    if (!token) throw new AuthChallengeInvalid(`the token service of ${host} sent no token; try again later`);
    this.tokens.set(`${host} ${ctx.scope}`, {
      header: `Bearer ${token}`,
      expiresAt: Date.now() + DEFAULT_TOKEN_SECONDS * 1000,
    });
    this.options.onAuth?.({ host, flow: 'ollama', scope: ctx.scope, identified: true });
  }

  private async dockerToken(challenge: Challenge, host: string, ctx: ChallengeContext): Promise<void> {
    const scopes = challenge.params['scope'] ? challenge.params['scope'].split(' ') : [ctx.scope];
    const url = dockerTokenUrl(challenge, scopes);
    let credentials: BasicCredentials | undefined = await this.options.credentials(host);
    if (credentials && !this.options.mayCarryCredentials(url)) credentials = undefined;
    const headers: Record<string, string> = credentials ? { authorization: basicAuthorization(credentials) } : {};
    const reply = await this.options.fetchToken(url.href, headers, ctx);
    if (reply.status === 401 || reply.status === 403) {
      if (credentials) {
        throw new Unauthorized(
          `the token service of ${host} refused the credentials configured for it: check the user name and password ` +
            `(MODELFILE_REGISTRY_* variables, editor settings or \`docker login ${host}\`)`,
        );
      }
      throw unauthorizedFor({ host, repository: ctx.repository, operation: 'token', push: ctx.push });
    }
    if (reply.status >= 400) {
      throw decodeRegistryError(reply.status, reply.body, { host, repository: ctx.repository, operation: 'token', push: ctx.push });
    }
    const issued = parseTokenReply(reply.body);
    if (!issued) throw new AuthChallengeInvalid(`the token service of ${host} sent no token; try again later`);
    this.tokens.set(`${host} ${ctx.scope}`, { header: `Bearer ${issued.token}`, expiresAt: issued.expiresAt });
    this.options.onAuth?.({ host, flow: 'docker-token', scope: ctx.scope, identified: credentials !== undefined });
  }
}

function insecureRefusal(host: string): Unauthorized {
  return new Unauthorized(
    `${host} asks for a password over plain http; it is not sent: use https, or list ${host} as an insecure host if this network is trusted`,
  );
}
