/**
 * The authorization server of the Lean sandbox (§1, §5.3): POST /oauth2/token
 * behaving like Spring Authorization Server (form parameters only,
 * client_secret_post or client_secret_basic, RFC 6749 §5.2 errors), RS256 JWTs
 * with Lean's claim set, JWKS and AS metadata.
 */
import type { FakeClock } from './clock.js';
import type { Reply } from './http.js';
import { UUID_RE } from './http.js';
import type { IdSource } from './ids.js';
import type { KeyStore } from './keys.js';

/** The 16 fine-grained permissions of an `api` token (decoded from Lean's sandbox JWT). */
export const API_PERMISSIONS = [
  'customer.read',
  'customer.write',
  'destination.write',
  'destination.read',
  'report.read',
  'report.write',
  'bank.read',
  'webhook.read',
  'payment.read',
  'intent.write',
  'payout.write',
  'payout.read',
  'deposit.read',
  'data.read',
  'reconciliation.read',
  'file.read',
] as const;

/** The 10 permissions of a `customer.<id>` token. */
export const CUSTOMER_PERMISSIONS = [
  'customer.read',
  'beneficiary.write',
  'payment.write',
  'payment.read',
  'destination.read',
  'connect.write',
  'connect.read',
  'application.read',
  'bank.read',
  'key.read',
] as const;

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /** Always answered with `invalid_client` (a dead credential). */
  disabled?: boolean;
  /** Permissions put in `api` tokens. Default: all 16. */
  permissions?: readonly string[];
  /** May mint `customer.<id>` tokens. Default true. */
  customerTokens?: boolean;
}

/** Deliberate token-endpoint misbehaviour, to break clients on purpose (§5.3 overrides). */
export interface TokenOverrides {
  /** Override `expires_in` in the response; `null` omits the field. The JWT is unchanged. */
  expiresIn?: number | null;
  /** e.g. `"bearer"` (lower case). */
  tokenType?: string;
  /** Issue tokens whose `exp` is already in the past. */
  alreadyExpired?: boolean;
  /** Shift `iat`/`nbf` into the future by this many seconds (clock skew). */
  futureSkewSeconds?: number;
  /** Wrong `aud`. */
  audience?: string;
  /** Sign with a key that is not in the JWKS. */
  unknownKey?: boolean;
}

export interface MintOptions {
  clientId: string;
  scope: string;
  /** `expires_in` seconds; the JWT's exp − iat is one second more, as Lean's. */
  ttlSeconds: number;
  permissions?: readonly string[];
  audience?: string;
  issuer?: string;
  /** Absolute exp override (epoch seconds). */
  exp?: number;
  iat?: number;
  unknownKey?: boolean;
}

export interface AuthEnv {
  clock: FakeClock;
  ids: IdSource;
  keys: KeyStore;
  authUrl: () => string;
  apiUrl: () => string;
  clients: Map<string, SandboxClient>;
  ttlSeconds: number;
  allowAnyCustomer: boolean;
  customerExists: (id: string) => boolean;
  overrides: () => TokenOverrides | undefined;
}

export interface TokenRequestInfo {
  clientId: string | null;
  authMethod: 'client_secret_post' | 'client_secret_basic' | 'none';
  scope: string | null;
  grantType: string | null;
  secretValid: boolean;
  jti?: string;
}

export const linkAudience = (authUrl: string) => `${authUrl}/link`;

export async function mintToken(env: AuthEnv, o: MintOptions): Promise<{ token: string; jti: string; exp: number }> {
  const iat = o.iat ?? env.clock.nowSeconds();
  const exp = o.exp ?? iat + o.ttlSeconds + 1;
  const jti = env.ids.uuid();
  const customer = /^customer\.(.+)$/.exec(o.scope);
  const claims: Record<string, unknown> = {
    sub: o.clientId,
    aud: o.audience ?? (customer ? linkAudience(env.authUrl()) : env.apiUrl()),
    nbf: iat,
    scope: [...(o.permissions ?? (customer ? CUSTOMER_PERMISSIONS : API_PERMISSIONS))],
    iss: o.issuer ?? env.authUrl(),
    exp,
    iat,
    jti,
    applications: [{ id: o.clientId }],
  };
  if (customer) claims.customers = [{ id: customer[1] }];
  const token = await env.keys.sign(claims, { unknownKey: o.unknownKey });
  return { token, jti, exp };
}

const OAUTH_HEADERS = { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store', pragma: 'no-cache' };
const SPEC_URI = 'https://datatracker.ietf.org/doc/html/rfc6749#section-5.2';

function oauthError(status: number, error: string, param?: string): Reply {
  const body: Record<string, string> = { error };
  if (param) {
    body.error_description = `OAuth 2.0 Parameter: ${param}`;
    body.error_uri = SPEC_URI;
  }
  return { status, body, headers: { ...OAUTH_HEADERS } };
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** Spring AS reads only form parameters: a JSON (or any other) body yields no parameters at all. */
function formParams(contentType: string | undefined, body: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!isForm(contentType)) return out;
  for (const [k, v] of new URLSearchParams(body)) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
}

const NON_PRINTABLE = /[^\x20-\x7e]/;

export async function handleTokenRequest(
  env: AuthEnv,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): Promise<{ reply: Reply; info: TokenRequestInfo }> {
  const params = formParams(headers['content-type'] as string | undefined, body);
  const single = (k: string) => {
    const v = params.get(k);
    return v && v.length === 1 ? v[0]! : null;
  };
  const info: TokenRequestInfo = { clientId: null, authMethod: 'none', scope: single('scope'), grantType: single('grant_type'), secretValid: false };
  const done = (reply: Reply) => ({ reply, info });

  // --- client authentication (OAuth2ClientAuthenticationFilter)
  let clientId: string | null = null;
  let secret: string | null = null;
  const authz = headers.authorization;
  if (typeof authz === 'string' && /^basic\s/i.test(authz)) {
    info.authMethod = 'client_secret_basic';
    const decoded = Buffer.from(authz.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
    const idx = decoded.indexOf(':');
    if (idx <= 0) return done(oauthError(400, 'invalid_request'));
    try {
      clientId = decodeURIComponent(decoded.slice(0, idx).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(idx + 1).replace(/\+/g, ' '));
    } catch {
      return done(oauthError(400, 'invalid_request'));
    }
  } else if (params.has('client_id') || params.has('client_secret')) {
    if ((params.get('client_id')?.length ?? 0) > 1 || (params.get('client_secret')?.length ?? 0) > 1) {
      return done(oauthError(400, 'invalid_request'));
    }
    clientId = single('client_id');
    secret = single('client_secret');
    if (clientId !== null && secret !== null) info.authMethod = 'client_secret_post';
  }
  info.clientId = clientId;
  if (clientId === null || secret === null || clientId === '') return done(oauthError(401, 'invalid_client'));
  if (NON_PRINTABLE.test(clientId)) return done(oauthError(400, 'invalid_request'));
  const client = env.clients.get(clientId);
  info.secretValid = !!client && client.clientSecret === secret;
  if (!client || client.disabled || !info.secretValid) return done(oauthError(401, 'invalid_client'));

  // --- token endpoint (OAuth2TokenEndpointFilter)
  const grants = params.get('grant_type');
  if (!grants || grants.length !== 1 || grants[0] === '') return done(oauthError(400, 'invalid_request', 'grant_type'));
  if (grants[0] !== 'client_credentials') return done(oauthError(400, 'unsupported_grant_type', 'grant_type'));
  const scopes = params.get('scope');
  if (scopes && scopes.length > 1) return done(oauthError(400, 'invalid_request', 'scope'));
  const scope = (scopes?.[0] ?? '').trim();
  // [fake] strictness: a missing scope, a mixed `api customer.x` or an unknown customer is invalid_scope
  if (scope === '' || /\s/.test(scope)) return done(oauthError(400, 'invalid_scope', 'scope'));
  if (scope !== 'api') {
    const m = /^customer\.(.+)$/.exec(scope);
    if (!m || !UUID_RE.test(m[1]!) || client.customerTokens === false) return done(oauthError(400, 'invalid_scope', 'scope'));
    if (!env.allowAnyCustomer && !env.customerExists(m[1]!.toLowerCase())) return done(oauthError(400, 'invalid_scope', 'scope'));
  }

  // --- success
  const ov = env.overrides();
  const now = env.clock.nowSeconds();
  const iat = now + (ov?.futureSkewSeconds ?? 0);
  const minted = await mintToken(env, {
    clientId,
    scope,
    ttlSeconds: env.ttlSeconds,
    permissions: scope === 'api' ? client.permissions : undefined,
    audience: ov?.audience,
    iat,
    exp: ov?.alreadyExpired ? now - 60 : undefined,
    unknownKey: ov?.unknownKey,
  });
  info.jti = minted.jti;
  const resp: Record<string, unknown> = { access_token: minted.token, scope, token_type: ov?.tokenType ?? 'Bearer' };
  if (ov?.expiresIn !== null) resp.expires_in = ov?.expiresIn ?? env.ttlSeconds;
  return done({ status: 200, body: resp, headers: { ...OAUTH_HEADERS } });
}

export function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    device_authorization_endpoint: `${issuer}/oauth2/device_authorization`,
    token_endpoint: `${issuer}/oauth2/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
    ],
    jwks_uri: `${issuer}/oauth2/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint: `${issuer}/oauth2/introspect`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    tls_client_certificate_bound_access_tokens: true,
  };
}

export { OAUTH_HEADERS };
