/**
 * Inbound `oauth2`: the adapter is an OAuth 2.1 resource server. Callers send
 * `Authorization: Bearer <JWT>`; the token must be signed by a key of the
 * authorization server (JWKS discovered from its metadata on first use, cached,
 * refetched on an unknown `kid`), unexpired, issued by `authorizationServerUri`,
 * for `audience` (else `resource`), and carry every configured scope. Failures
 * are 401 `invalid_token`; a missing scope is 403 `insufficient_scope`
 * (RFC 6750 §3). MCP listeners also serve RFC 9728 protected-resource metadata.
 */
// jose loads on the first token to verify: a runtime without OAuth2-protected
// adapters (the default) never pays its import at startup.
import type { createRemoteJWKSet, JWTPayload } from 'jose';
import { loadUndici } from '../../engine/upstream/undici-module.js';
import { RuntimeError } from '../../engine/errors.js';
import type { UpstreamRoutes } from '../../engine/upstream/routes.js';

export interface OAuth2Settings {
  issuer: string;
  resource: string;
  audience?: string;
  scopes: string[];
}

export class InsufficientScopeError extends RuntimeError {
  readonly status = 403;
  readonly title = 'Forbidden';
  readonly slug = 'insufficient-scope';
  constructor(readonly challenge: string) {
    super('The access token lacks a scope this API requires.');
  }

  override responseHeaders(): Record<string, string> {
    return { 'www-authenticate': this.challenge };
  }
}

export function oauth2Settings(raw: Record<string, unknown>): OAuth2Settings | undefined {
  const issuer = typeof raw.authorizationServerUri === 'string' ? raw.authorizationServerUri : undefined;
  const resource = typeof raw.resource === 'string' ? raw.resource : undefined;
  if (!issuer || !resource) return undefined;
  return {
    issuer,
    resource,
    audience: typeof raw.audience === 'string' ? raw.audience : undefined,
    scopes: Array.isArray(raw.scopes) ? raw.scopes.map(String) : [],
  };
}

/** Where RFC 9728 metadata of a resource is served: `/.well-known/oauth-protected-resource` + the resource's path. */
export function protectedResourceMetadataPath(resource: string): string {
  const path = new URL(resource).pathname.replace(/\/+$/, '');
  return `/.well-known/oauth-protected-resource${path}`;
}

export class OAuth2Verifier {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  private discovering?: Promise<ReturnType<typeof createRemoteJWKSet>>;
  private readonly issuers: string[];

  constructor(
    readonly settings: OAuth2Settings,
    private readonly routes: UpstreamRoutes,
    /** Extra challenge parameters (MCP adds `resource_metadata`). */
    private readonly challengeExtra = '',
  ) {
    const bare = settings.issuer.replace(/\/+$/, '');
    this.issuers = [bare, `${bare}/`];
  }

  challenge(error?: { code: string; description: string }): string {
    const parts = ['Bearer'];
    const params: string[] = [];
    if (error) params.push(`error="${error.code}"`, `error_description="${error.description.replace(/"/g, "'")}"`);
    if (error?.code === 'insufficient_scope' && this.settings.scopes.length > 0) params.push(`scope="${this.settings.scopes.join(' ')}"`);
    if (this.challengeExtra) params.push(this.challengeExtra);
    return params.length > 0 ? `${parts[0]} ${params.join(', ')}` : parts[0]!;
  }

  /** Returns the token's claims; throws 401/403 errors carrying the challenge. */
  async verify(authorization: string | null, unauthorized: (challenge: string) => Error): Promise<JWTPayload> {
    const token = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : undefined;
    if (!token) throw unauthorized(this.challenge());
    let payload: JWTPayload;
    try {
      const { jwtVerify } = await import('jose');
      ({ payload } = await jwtVerify(token, await this.keys(), { issuer: this.issuers, audience: this.settings.audience ?? this.settings.resource }));
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      throw unauthorized(this.challenge({ code: 'invalid_token', description: describeJoseError(error) }));
    }
    const granted = new Set(Array.isArray(payload.scope) ? payload.scope.map(String) : typeof payload.scope === 'string' ? payload.scope.split(/\s+/) : []);
    const missing = this.settings.scopes.filter((s) => !granted.has(s));
    if (missing.length > 0) throw new InsufficientScopeError(this.challenge({ code: 'insufficient_scope', description: `missing scope ${missing.join(' ')}` }));
    return payload;
  }

  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    this.discovering ??= this.discover().finally(() => {
      this.discovering = undefined;
    });
    this.jwks = await this.discovering;
    return this.jwks;
  }

  /** RFC 8414 metadata, then OpenID discovery; both reached through `--upstream` overrides (sandboxes). */
  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const base = this.routes.rewrite('', this.settings.issuer.replace(/\/+$/, ''));
    const [{ request }, { createRemoteJWKSet }] = await Promise.all([loadUndici(), import('jose')]);
    for (const suffix of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      try {
        const res = await request(`${base}${suffix}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
        if (res.statusCode !== 200) {
          await res.body.dump();
          continue;
        }
        const metadata = (await res.body.json()) as { jwks_uri?: unknown };
        if (typeof metadata.jwks_uri === 'string') {
          return createRemoteJWKSet(new URL(this.routes.rewrite('', metadata.jwks_uri)), { cooldownDuration: 30_000, cacheMaxAge: 300_000 });
        }
      } catch {
        // try the next discovery document
      }
    }
    throw new AuthorizationServerUnavailableError(`The authorization server ${this.settings.issuer} published no JWKS (metadata unreachable).`);
  }
}

export class AuthorizationServerUnavailableError extends RuntimeError {
  readonly status = 503;
  readonly title = 'Authorization server unavailable';
  readonly slug = 'authorization-server-unavailable';
}

function describeJoseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `invalid ${(error as { claim?: string }).claim ?? 'claim'}`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'invalid signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'unknown signing key';
    default:
      return 'malformed or unverifiable token';
  }
}
