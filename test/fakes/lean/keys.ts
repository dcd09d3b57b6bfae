/**
 * RS256 signing keys, JWKS and bearer-token verification for the Lean sandbox.
 *
 * Verification goes through a jose local JWK set that is rebuilt only when the
 * keys rotate, plus a bounded cache of already-verified tokens, so a benchmark
 * hitting the API with one token pays for one RSA verification, not thousands.
 */
import {
  SignJWT,
  createLocalJWKSet,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface VerifiedToken {
  jti: string;
  clientId: string;
  /** Fine-grained permissions (the JWT `scope` array). */
  permissions: ReadonlySet<string>;
  /** `api` or `customer` (from the claims). */
  kind: 'api' | 'customer';
  customerId: string | undefined;
  exp: number;
  nbf: number;
  kid: string;
}

/** Why a bearer token was refused; becomes `error_description` in WWW-Authenticate. */
export class TokenRejected extends Error {}

export interface VerifyContext {
  issuer: string;
  audience: string;
  nowSeconds: number;
  leewaySeconds: number;
  revoked: ReadonlySet<string>;
  revokedBefore: number;
}

const CACHE_LIMIT = 5000;

export class KeyStore {
  private keys: SigningKey[] = [];
  private jwks: ReturnType<typeof createLocalJWKSet> | undefined;
  private generation = 0;
  private readonly cache = new Map<string, VerifiedToken>();
  /** A key that is never published: tokens signed with it must fail verification. */
  private rogue: SigningKey | undefined;

  async init(): Promise<void> {
    this.keys = [await this.makeKey()];
    this.rebuild();
  }

  private async makeKey(): Promise<SigningKey> {
    this.generation += 1;
    const kid = `lean-fake-${this.generation}`;
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    return { kid, privateKey, publicJwk };
  }

  private rebuild(): void {
    this.jwks = createLocalJWKSet({ keys: this.keys.map((k) => k.publicJwk) });
    this.cache.clear();
  }

  /**
   * Replaces the signing key. Lean documents no overlap window, so by default
   * the old key leaves the JWKS at once and tokens signed with it fail.
   */
  async rotate(keepPrevious = false): Promise<string> {
    const next = await this.makeKey();
    this.keys = keepPrevious ? [next, ...this.keys] : [next];
    this.rebuild();
    return next.kid;
  }

  get currentKid(): string {
    return this.keys[0]!.kid;
  }

  jwksDocument(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => ({ ...k.publicJwk })) };
  }

  async sign(claims: JWTPayload, opts: { unknownKey?: boolean } = {}): Promise<string> {
    let key = this.keys[0]!;
    if (opts.unknownKey) {
      // same kid as the published key, different private key: the signature check must fail
      if (!this.rogue) {
        this.rogue = await this.makeKey();
        this.generation -= 1;
      }
      key = { ...this.rogue, kid: key.kid };
    }
    return new SignJWT(claims).setProtectedHeader({ kid: key.kid, alg: 'RS256' }).sign(key.privateKey);
  }

  forgetCached(): void {
    this.cache.clear();
  }

  async verify(token: string, ctx: VerifyContext): Promise<VerifiedToken> {
    let v = this.cache.get(token);
    if (!v) {
      v = await this.verifySignature(token, ctx);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(token, v);
    }
    // time, revocation and audience-independent checks run on every request
    if (v.nbf > ctx.nowSeconds + ctx.leewaySeconds) throw new TokenRejected('Jwt used before nbf');
    if (v.exp <= ctx.nowSeconds - ctx.leewaySeconds) throw new TokenRejected(`Jwt expired at ${new Date(v.exp * 1000).toISOString()}`);
    if (ctx.revoked.has(v.jti)) throw new TokenRejected('Jwt has been revoked');
    if (ctx.revokedBefore > 0 && v.nbf < ctx.revokedBefore) throw new TokenRejected('Jwt has been revoked');
    return v;
  }

  private async verifySignature(token: string, ctx: VerifyContext): Promise<VerifiedToken> {
    if (!this.jwks) throw new Error('KeyStore not initialised');
    try {
      // Time claims are checked by the caller against the fake clock (also on cache hits),
      // so jose gets a generous tolerance here.
      const { payload, protectedHeader } = await jwtVerify(token, this.jwks, {
        algorithms: ['RS256'],
        issuer: ctx.issuer,
        audience: ctx.audience,
        currentDate: new Date(ctx.nowSeconds * 1000),
        clockTolerance: 10 * 365 * 86400,
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      });
      const scope = payload.scope;
      const permissions = new Set(Array.isArray(scope) ? scope.map(String) : typeof scope === 'string' ? scope.split(' ') : []);
      const customers = (payload as { customers?: { id?: string }[] }).customers;
      const customerId = Array.isArray(customers) ? customers[0]?.id : undefined;
      return {
        jti: String(payload.jti),
        clientId: String(payload.sub),
        permissions,
        kind: customerId ? 'customer' : 'api',
        customerId,
        exp: payload.exp!,
        nbf: payload.nbf ?? payload.iat!,
        kid: protectedHeader.kid ?? '',
      };
    } catch (err) {
      throw new TokenRejected(describeJoseError(err));
    }
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'An error occurred while attempting to decode the Jwt: Signed JWT rejected: Another algorithm expected, or no matching key(s) found';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'An error occurred while attempting to decode the Jwt: Signed JWT rejected: Invalid signature';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'The aud claim is not valid';
    if (err.claim === 'iss') return 'The iss claim is not valid';
    return `The ${err.claim} claim is not valid`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'An error occurred while attempting to decode the Jwt: Unsupported algorithm';
  if (err instanceof joseErrors.JOSEError) return `An error occurred while attempting to decode the Jwt: Malformed token`;
  return 'An error occurred while attempting to decode the Jwt';
}
