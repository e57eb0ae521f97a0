// A small client of the OCI distribution API: what a push needs and nothing more. It pings
// /v2/ once to learn the scheme (https, or http when `insecure` and the server does not speak
// TLS) and the authentication (none, Basic, or Bearer tokens from the registry's token service).
// Authorization goes only to the registry's own origin (and Basic credentials to the token
// service it names), never to another host a Location header points at.
import { SHA256_HEX, sha256Digest } from './digest.ts';
import { parseErrorBody, redact, RegistryError } from './errors.ts';
import { HttpSender, TransportError, type HttpAnswer, type StreamedBody } from './http.ts';
import { parseWwwAuthenticate } from './www-authenticate.ts';

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** The admin's credential for the configured registry (.env), if one is set. */
export function configuredCredentials(registry: { username?: string; password?: string }): RegistryCredentials | undefined {
  return registry.username ? { username: registry.username, password: registry.password ?? '' } : undefined;
}

/** How a registry is reached: from IMAGESPEC_INSECURE_REGISTRIES, _SKIP_TLS_VERIFY_REGISTRIES and _REGISTRY_CA_FILE. */
export interface RegistryTransport {
  /** HTTPS without certificate verification, falling back to plain HTTP; otherwise verified HTTPS. */
  insecure: boolean;
  /** HTTPS without certificate verification, never plain HTTP. */
  skipTlsVerify?: boolean;
  /** PEM CA certificates trusted besides Node's own. */
  extraCa?: string;
}

/** The registry lists of the configuration (the push registry is in the insecure one when it is insecure). */
export interface TransportSettings {
  insecureRegistries: readonly string[];
  skipTlsVerifyRegistries: readonly string[];
}

/** How the controller reaches `host`: the lists that name it, and the admin's CA bundle. */
export function transportFor(host: string, settings: TransportSettings, caBundle: string | undefined): RegistryTransport {
  return {
    insecure: settings.insecureRegistries.includes(host),
    ...(settings.skipTlsVerifyRegistries.includes(host) ? { skipTlsVerify: true } : {}),
    ...(caBundle ? { extraCa: caBundle } : {}),
  };
}

export interface RegistryClientOptions extends RegistryTransport {
  /** host[:port] */
  registry: string;
  credentials?: RegistryCredentials;
  /** Where the credential comes from, for the hint of a 401 or 403: "Secret x (spec.output.pushSecret)". */
  credentialSource?: string;
  /** How long the registry may keep one request waiting; 60 s by default. */
  timeoutMs?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

interface Request {
  method: string;
  /** A path on the registry, or a full URL (an upload's Location). */
  target: string | URL;
  headers?: Record<string, string>;
  body?: Uint8Array | StreamedBody;
}

type Authentication = { scheme: 'none' } | { scheme: 'basic' } | { scheme: 'bearer'; realm: string; service: string | undefined };

const EMPTY = new Uint8Array(0);

/** What a manifest HEAD accepts: every form a pushed image can take. */
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Where an upload is finished: the Location the registry gave (relative to the registry, or
 * absolute) with `digest=` added; its own query is kept byte for byte, as it may carry upload state.
 */
export function uploadUrl(location: string, base: URL, digest: string): URL {
  const url = new URL(location, base);
  url.search = `${url.search ? `${url.search}&` : '?'}digest=${encodeURIComponent(digest)}`;
  return url;
}

export class RegistryClient {
  private readonly registry: string;
  private readonly insecure: boolean;
  private readonly credentials: RegistryCredentials | undefined;
  private readonly credentialSource: string | undefined;
  private readonly http: HttpSender;
  private base: Promise<URL> | undefined;
  private authentication: Authentication = { scheme: 'none' };
  /** Bearer tokens by repository (each is scoped to one), and when to get a new one. */
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.insecure = options.insecure;
    this.credentials = options.credentials;
    this.credentialSource = options.credentialSource;
    this.http = new HttpSender({
      insecureTls: options.insecure || options.skipTlsVerify === true,
      ...(options.extraCa ? { extraCa: options.extraCa } : {}),
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  /** HEAD the blob: true when the repository already has it. */
  async blobExists(repository: string, digest: string, options: RequestOptions = {}): Promise<boolean> {
    const what = `check for blob ${digest} in ${this.registry}/${repository}`;
    const answer = await this.call(repository, what, { method: 'HEAD', target: `/v2/${repository}/blobs/${digest}` }, options);
    if (answer.status === 200) return true;
    if (answer.status === 404) return false;
    throw this.refused(what, answer);
  }

  /**
   * HEAD the manifest by tag: its digest when the repository has the tag, undefined when it does
   * not (or the registry does not say which digest it is: the caller then builds, as if absent).
   */
  async manifestDigest(repository: string, tag: string, options: RequestOptions = {}): Promise<string | undefined> {
    const what = `check for ${this.registry}/${repository}:${tag}`;
    const headers = { Accept: MANIFEST_MEDIA_TYPES.join(', ') };
    const answer = await this.call(repository, what, { method: 'HEAD', target: `/v2/${repository}/manifests/${tag}`, headers }, options);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw this.refused(what, answer);
    const digest = header(answer, 'docker-content-digest');
    return digest?.startsWith('sha256:') && SHA256_HEX.test(digest.slice('sha256:'.length)) ? digest : undefined;
  }

  /**
   * Uploads a blob in one PUT of exactly `size` bytes, streamed from `body` as fast as the
   * registry takes it. An error thrown by `body` (a LayoutError) ends the upload and is thrown as is.
   */
  async uploadBlob(repository: string, digest: string, size: number, body: AsyncIterable<Uint8Array>, options: RequestOptions = {}): Promise<void> {
    const starting = `start the upload of blob ${digest} to ${this.registry}/${repository}`;
    const started = await this.call(repository, starting, { method: 'POST', target: `/v2/${repository}/blobs/uploads/`, body: EMPTY }, options);
    const location = header(started, 'location');
    if (started.status !== 202) throw this.refused(starting, started);
    if (!location) throw new RegistryError(`Could not ${starting}: the registry gave no upload location.`, { status: started.status });
    const url = uploadUrl(location, await this.ready(repository, options), digest);
    const uploading = `upload blob ${digest} to ${this.registry}/${repository}`;
    const headers = { 'Content-Type': 'application/octet-stream' };
    const answer = await this.call(repository, uploading, { method: 'PUT', target: url, headers, body: { size, chunks: body } }, options);
    if (answer.status !== 201) throw this.refused(uploading, answer);
  }

  /** PUTs the manifest by tag and returns its digest (sha256 of `bytes`, checked against the registry's). */
  async putManifest(repository: string, tag: string, mediaType: string, bytes: Uint8Array, options: RequestOptions = {}): Promise<string> {
    const digest = sha256Digest(bytes);
    const what = `push the manifest of ${this.registry}/${repository}:${tag}`;
    const answer = await this.call(repository, what, { method: 'PUT', target: `/v2/${repository}/manifests/${tag}`, headers: { 'Content-Type': mediaType }, body: bytes }, options);
    if (answer.status !== 201) throw this.refused(what, answer);
    const stored = header(answer, 'docker-content-digest');
    if (stored && stored !== digest) {
      throw new RegistryError(`Could not ${what}: the registry stored it as ${this.redact(stored)}, but its content is ${digest}.`, { status: answer.status });
    }
    return digest;
  }

  /**
   * The registry's base URL and the Authorization for pull and push on `repository`, for a request
   * the caller sends itself: the layer cache forwards streams this client would not hold.
   */
  async access(repository: string, options: RequestOptions = {}): Promise<{ base: URL; authorization: string | undefined }> {
    const base = await this.ready(repository, options);
    return { base, authorization: await this.authorization(repository, options) };
  }

  /**
   * A registry's 401 to a request the caller sent with `access()`'s Authorization: adopts its
   * challenge (a scheme the /v2/ ping did not ask for, or a new token) and says whether the same
   * request may succeed when sent again with a new `access()`.
   */
  challenged(repository: string, wwwAuthenticate: string | undefined): boolean {
    return this.adopt(parseWwwAuthenticate(wwwAuthenticate ?? ''), repository);
  }

  /** Closes kept-alive connections; the client is not used afterwards. */
  close(): void {
    this.http.close();
  }

  /**
   * Sends a request with the current authorization. On 401 the challenge is taken up and the
   * request sent once more, unless its body is streamed (it cannot be sent twice).
   */
  private async call(repository: string, what: string, request: Request, options: RequestOptions): Promise<HttpAnswer> {
    const base = await this.ready(repository, options);
    const url = request.target instanceof URL ? request.target : new URL(request.target, base);
    const resendable = !request.body || request.body instanceof Uint8Array;
    for (let attempt = 1; ; attempt++) {
      const authorization = url.origin === base.origin ? await this.authorization(repository, options) : undefined;
      const headers = { ...request.headers, ...(authorization ? { Authorization: authorization } : {}) };
      const answer = await this.send(what, { method: request.method, url, headers, ...(request.body ? { body: request.body } : {}), ...options });
      if (answer.status !== 401 || !resendable || attempt > 1 || !this.takeUpChallenge(answer, repository)) return answer;
    }
  }

  private async send(what: string, call: Parameters<HttpSender['send']>[0]): Promise<HttpAnswer> {
    try {
      return await this.http.send(call);
    } catch (error) {
      throw error instanceof TransportError ? this.unreachable(what, error) : error;
    }
  }

  private unreachable(what: string, error: TransportError): RegistryError {
    return new RegistryError(`Could not ${what}: ${this.redact(error.message)}.`, { status: undefined }, { cause: error });
  }

  /** The registry's base URL, once /v2/ has answered; a failed ping is tried again next time. */
  private ready(repository: string, options: RequestOptions): Promise<URL> {
    this.base ??= this.ping(repository, options).catch((error: unknown) => {
      this.base = undefined;
      throw error;
    });
    return this.base;
  }

  private async ping(repository: string, options: RequestOptions): Promise<URL> {
    const what = `reach the registry ${this.registry} to push ${this.registry}/${repository}`;
    let base = new URL(`https://${this.registry}/`);
    let answer: HttpAnswer;
    try {
      answer = await this.http.send({ method: 'GET', url: new URL('/v2/', base), ...options });
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      if (!this.insecure) throw this.unreachable(what, error);
      base = new URL(`http://${this.registry}/`);
      answer = await this.send(`${what}: over HTTPS, ${error.message}; over HTTP`, { method: 'GET', url: new URL('/v2/', base), ...options });
    }
    if (answer.status === 401) this.takeUpChallenge(answer, repository);
    else if (answer.status < 200 || answer.status > 299) throw this.refused(what, answer);
    return base;
  }

  /** Adopts a 401's challenge; false when it offers nothing that could make a second try succeed. */
  private takeUpChallenge(answer: HttpAnswer, repository: string): boolean {
    return this.adopt(parseWwwAuthenticate(header(answer, 'www-authenticate') ?? ''), repository);
  }

  private adopt(challenges: ReturnType<typeof parseWwwAuthenticate>, repository: string): boolean {
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params.realm);
    if (bearer) {
      this.authentication = { scheme: 'bearer', realm: bearer.params.realm!, service: bearer.params.service };
      this.tokens.delete(repository);
      return true;
    }
    if (this.credentials && this.authentication.scheme !== 'basic' && challenges.some((challenge) => challenge.scheme === 'basic')) {
      this.authentication = { scheme: 'basic' };
      return true;
    }
    return false;
  }

  private basic(): string | undefined {
    if (!this.credentials) return undefined;
    return `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
  }

  private async authorization(repository: string, options: RequestOptions): Promise<string | undefined> {
    switch (this.authentication.scheme) {
      case 'none':
        return undefined;
      case 'basic':
        return this.basic();
      case 'bearer':
        return `Bearer ${await this.token(repository, this.authentication, options)}`;
    }
  }

  /** A token for pull and push on the repository, from the token service the registry named. */
  private async token(repository: string, service: { realm: string; service: string | undefined }, options: RequestOptions): Promise<string> {
    const cached = this.tokens.get(repository);
    if (cached && Date.now() < cached.renewAt) return cached.token;
    const what = `get a token to push ${this.registry}/${repository}`;
    const url = URL.canParse(service.realm) ? new URL(service.realm) : undefined;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new RegistryError(`Could not ${what}: the registry named a token service that is not an HTTP(S) URL.`, { status: 401 });
    }
    if (service.service) url.searchParams.set('service', service.service);
    url.searchParams.set('scope', `repository:${repository}:pull,push`);
    const basic = this.basic();
    const answer = await this.send(`${what} from ${url.origin}${url.pathname}`, { method: 'GET', url, ...(basic ? { headers: { Authorization: basic } } : {}), ...options });
    if (answer.status !== 200) throw this.refused(what, answer, `the token service ${url.origin}${url.pathname}`);
    let token: unknown;
    let lifetimeSeconds = 60;
    try {
      const parsed = JSON.parse(answer.body.toString('utf8')) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
      token = parsed.token ?? parsed.access_token;
      if (typeof parsed.expires_in === 'number' && parsed.expires_in > 0) lifetimeSeconds = parsed.expires_in;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || !token) throw new RegistryError(`Could not ${what}: the token service answered without a token.`, { status: answer.status });
    // Renewed at 80 % of its life; a token service that says nothing means 60 s (the token spec's default).
    this.tokens.set(repository, { token, renewAt: Date.now() + lifetimeSeconds * 800 });
    return token;
  }

  /** Every secret a message must not show: the password, the Basic header value, the tokens. */
  private redact(text: string): string {
    const basic = this.basic()?.slice('Basic '.length);
    return redact(text, [this.credentials?.password ?? '', basic ?? '', ...[...this.tokens.values()].map((entry) => entry.token)]);
  }

  private refused(what: string, answer: HttpAnswer, who = 'the registry'): RegistryError {
    const { code, message } = parseErrorBody(answer.body);
    const registryMessage = message === undefined ? undefined : this.redact(message);
    const detail = [code, registryMessage].filter(Boolean).join(': ');
    return new RegistryError(`Could not ${what}: ${who} answered HTTP ${answer.status}${detail ? ` (${detail})` : ''}${this.hint(answer.status)}.`, {
      status: answer.status,
      ...(code ? { code } : {}),
      ...(registryMessage ? { registryMessage } : {}),
    });
  }

  private hint(status: number): string {
    const source = this.credentialSource ? ` (${this.credentialSource})` : '';
    if (status === 401) return this.credentials ? `; check ${this.credentialSource ?? 'the registry username and password'}` : `; the registry wants credentials and none are configured${source}`;
    if (status === 403) return `; the registry credentials may not push to this repository${source}`;
    return '';
  }
}
