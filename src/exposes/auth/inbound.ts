/**
 * Inbound authentication of exposed adapters (`authentication` on a `rest` or
 * `mcp` adapter): callers must present the credential the file declares, whose
 * value usually comes from a bind (`{{env.GATEWAY_KEY}}`). Supported kinds:
 * `apikey` (header or query), `bearer`, `basic` (constant-time comparisons), and
 * `oauth2` (JWT resource server, see oauth2.ts). A failure is a 401 with a
 * `WWW-Authenticate` challenge and never says which part was wrong. Kinds we
 * cannot verify (digest, oauth2 introspection) are refused at load — serving such
 * a file open would be worse than not serving it.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { BindScope } from '../../engine/binds.js';
import { RuntimeError } from '../../engine/errors.js';
import { Template } from '../../engine/templates.js';
import type { Authentication } from '../../capability/model.js';
import { UpstreamRoutes } from '../../engine/upstream/routes.js';
import { OAuth2Verifier, oauth2Settings } from './oauth2.js';

export class UnauthorizedError extends RuntimeError {
  readonly status = 401;
  readonly title = 'Unauthorized';
  readonly slug = 'unauthorized';
  constructor(readonly challenge: string) {
    super('Missing or invalid credentials for this API.');
  }

  override responseHeaders(): Record<string, string> {
    return { 'www-authenticate': this.challenge };
  }
}

export interface InboundAuth {
  /** `Bearer realm="…"` and the like, for 401 answers. */
  challenge: string;
  /**
   * Resolves (values may come from binds) and checks; throws UnauthorizedError or a ConfigError.
   * Resolves to the caller's identity: a digest of the credential (never the credential itself).
   */
  verify(header: (name: string) => string | null, query: URLSearchParams): Promise<string>;
  /** Identity of the rule, so adapters sharing one MCP listener can be required to agree. */
  fingerprint: string;
}

/** Kinds we refuse to serve: say why instead of serving the adapter without protection. */
export function unsupportedInboundAuth(auth: Authentication | undefined): string | undefined {
  if (!auth) return undefined;
  if (auth.type === 'digest') {
    return 'inbound `digest` authentication is not supported by this runtime; use apikey, bearer, basic or oauth2, or put an authenticating proxy in front';
  }
  if (auth.type === 'oauth2') {
    if (auth.settings.tokenValidation === 'introspection') return 'oauth2 token introspection is not supported by this runtime; use `tokenValidation: jwks`';
    if (!oauth2Settings(auth.settings)) return 'inbound oauth2 needs `authorizationServerUri` and `resource`';
  }
  return undefined;
}

export interface InboundAuthOptions {
  /** `--upstream` overrides also apply to the authorization server's metadata and keys. */
  routes: UpstreamRoutes;
  /** Extra `WWW-Authenticate` parameters (MCP: `resource_metadata="…"`). */
  challengeExtra?: string;
}

export function compileInboundAuth(auth: Authentication | undefined, binds: BindScope, realm: string, options?: InboundAuthOptions): InboundAuth | undefined {
  if (!auth || unsupportedInboundAuth(auth)) return undefined;
  if (auth.type === 'oauth2') {
    const settings = oauth2Settings(auth.settings)!;
    const verifier = new OAuth2Verifier(settings, options?.routes ?? new UpstreamRoutes(), options?.challengeExtra);
    return {
      challenge: verifier.challenge(),
      fingerprint: createHash('sha256').update(JSON.stringify({ type: 'oauth2', ...settings })).digest('hex'),
      async verify(header) {
        const authorization = header('authorization');
        await verifier.verify(authorization, (challenge) => new UnauthorizedError(challenge));
        return credentialId(authorization ?? '');
      },
    };
  }
  const templates = auth.type === 'apikey' ? [auth.value] : auth.type === 'bearer' ? [auth.token] : auth.type === 'basic' ? [auth.username, auth.password] : [];
  const compiled = templates.map((t) => Template.compile(t));
  const variables = [...new Set(compiled.flatMap((t) => t.variables.map((v) => binds.variableFor(v.path) ?? v.path)))];
  const render = async (): Promise<string[]> => {
    const values = await binds.values(variables);
    return compiled.map((t) => t.render((path) => values.get(binds.variableFor(path) ?? path)));
  };
  const fingerprint = createHash('sha256').update(JSON.stringify({ type: auth.type, templates, key: auth.type === 'apikey' ? [auth.key, auth.placement] : [] })).digest('hex');
  switch (auth.type) {
    case 'apikey': {
      const name = auth.key;
      return {
        challenge: `ApiKey realm="${realm}", ${auth.placement === 'query' ? 'query' : 'header'}="${name}"`,
        fingerprint,
        async verify(header, query) {
          const [expected] = await render();
          const given = auth.placement === 'query' ? query.get(name) : header(name.toLowerCase());
          if (!sameSecret(given, expected)) throw new UnauthorizedError(this.challenge);
          return credentialId(given!);
        },
      };
    }
    case 'bearer':
      return {
        challenge: `Bearer realm="${realm}"`,
        fingerprint,
        async verify(header) {
          const [expected] = await render();
          const authorization = header('authorization') ?? '';
          const given = /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : null;
          if (!sameSecret(given, expected)) throw new UnauthorizedError(this.challenge);
          return credentialId(given!);
        },
      };
    case 'basic':
      return {
        challenge: `Basic realm="${realm}", charset="UTF-8"`,
        fingerprint,
        async verify(header) {
          const [user, password] = await render();
          const authorization = header('authorization') ?? '';
          const given = /^basic\s+/i.test(authorization) ? Buffer.from(authorization.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8') : null;
          if (!sameSecret(given, `${user}:${password}`)) throw new UnauthorizedError(this.challenge);
          return credentialId(given!);
        },
      };
    default:
      return undefined;
  }
}

/** A caller identity from a verified credential: a short digest, so the credential never becomes a label or a key. */
function credentialId(credential: string): string {
  return `cred:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}`;
}

/** Constant-time comparison of two secrets (hashing first equalises lengths); an empty expected value never matches. */
function sameSecret(given: string | null, expected: string | undefined): boolean {
  if (given === null || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
