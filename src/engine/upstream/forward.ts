/**
 * `forward` on a REST resource: a pass-through proxy to a consumed API. The
 * rest of the path (the `{path}` variable) is appended to the API's base URI;
 * method, query string and body go through unchanged; only the headers the file
 * lists as trusted are copied (plus the body's content type); the API's own
 * authentication is applied, so callers never hold the upstream credential.
 * The upstream answer is relayed as it came.
 *
 * The caller's own credential for this gateway (the adapter's inbound
 * authentication: a header, a query parameter or a cookie) is never relayed,
 * even when a file lists its header as trusted: it is for the gateway, not
 * for the third party. Only the standard methods are relayed (no TRACE,
 * PROPFIND, CONNECT…).
 */
import type { Authentication, ConsumedApi } from '../../capability/model.js';
import { ConfigError, InputError, MethodNotAllowedError } from '../errors.js';
import type { CallerInput } from '../input.js';
import type { InvocationContext, InvocationResult } from '../invocation.js';
import { Template, type Lookup } from '../templates.js';
import { compileAuth, type AuthApplier } from './auth.js';
import type { CallContext } from './operation.js';
import { isIdempotent, type UpstreamPolicies } from './policies.js';

/** Methods a pass-through may relay (RFC 9110 §9 plus PATCH); anything else is refused with 405. */
export const FORWARD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const FORWARDABLE = new Set(FORWARD_METHODS);

/** Where the caller's credential for this gateway travels, so it can be left out of the relayed request. */
export interface InboundCredential {
  headers: string[];
  query: string[];
  cookies: string[];
}

/** The inbound credential locations of an adapter's `authentication` (apikey header/query, bearer/basic/oauth2 Authorization). */
export function inboundCredential(auth: Authentication | undefined): InboundCredential {
  const out: InboundCredential = { headers: [], query: [], cookies: [] };
  if (!auth) return out;
  if (auth.type === 'apikey') {
    if (auth.placement === 'query') out.query.push(auth.key);
    else if ((auth.placement as string) === 'cookie') out.cookies.push(auth.key);
    else out.headers.push(auth.key.toLowerCase());
  } else out.headers.push('authorization');
  return out;
}

/** Headers that describe one hop and must not be copied (RFC 9110 §7.6.1), whatever the file says. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

export class ForwardInvocable {
  private readonly baseUri: Template;
  private readonly auth?: AuthApplier;
  private readonly trusted: string[];
  private readonly bindVariables: string[];

  private readonly inbound: InboundCredential;

  constructor(
    private readonly api: ConsumedApi,
    trustedHeaders: readonly string[],
    private readonly context: (extra: InvocationContext) => CallContext,
    inbound?: InboundCredential,
    private readonly policies?: UpstreamPolicies,
    /** Segments of the resource path before `{path}` (`/v1/backend/{path}` → 2), to cut the raw request path. */
    private readonly prefixSegments?: number,
  ) {
    this.baseUri = Template.compile(api.baseUri);
    this.auth = compileAuth(api.authentication, () => true); // forward templates read binds only
    this.inbound = inbound ?? { headers: [], query: [], cookies: [] };
    this.trusted = trustedHeaders.map((h) => h.toLowerCase()).filter((h) => !HOP_BY_HOP.has(h) && !this.inbound.headers.includes(h));
    const binds = context({}).binds;
    this.bindVariables = [...new Set([...this.baseUri.variables.map((v) => v.path), ...(this.auth?.variables ?? [])].map((p) => binds.variableFor(p)).filter((v): v is string => v !== undefined))];
  }

  /**
   * The `{path}` part, still percent-encoded: from the raw request path when the surface passed it
   * (the router's decoded parameter would be decoded a second time here), else the router's
   * parameter (surfaces that do not pass the raw path).
   */
  private restOfPath(input: Extract<CallerInput, { kind: 'rest' }>): string {
    if (input.rawPath !== undefined && this.prefixSegments !== undefined) {
      const raw = input.rawPath.replace(/^\/+/, '').split('/');
      return raw.slice(this.prefixSegments).join('/');
    }
    return input.path.path ?? '';
  }

  async invoke(input: CallerInput, extra: InvocationContext = {}): Promise<InvocationResult> {
    if (input.kind !== 'rest') throw new InputError('forward serves REST requests only.');
    const method = (input.method ?? 'GET').toUpperCase();
    if (!FORWARDABLE.has(method)) throw new MethodNotAllowedError(`${method} is not relayed by this pass-through.`, FORWARD_METHODS);
    const ctx = this.context(extra);
    const values = await ctx.binds.values(this.bindVariables, extra.trace && { trace: extra.trace });
    const lookup: Lookup = (path) => {
      const variable = ctx.binds.variableFor(path);
      if (variable !== undefined) return values.get(variable);
      if (ctx.binds.isQualified(path)) throw new ConfigError(`The template variable \`${path}\` names no declared bind variable.`);
      return undefined;
    };
    // Segments are decoded exactly once (from the request's raw path when the router kept it, so
    // `%252F` stays the text `%2F`) and checked, then encoded again: a forwarded path can never
    // climb above the API's base path.
    const segments = this.restOfPath(input).split('/').map(decodeSegment);
    if (segments.some((segment) => segment === undefined || segment === '..' || segment === '.')) {
      throw new InputError('The forwarded path may not contain `.` or `..` segments or malformed escapes.');
    }
    const base = ctx.routes.rewrite(this.api.namespace, this.baseUri.render(lookup).replace(/\/+$/, ''));
    const url = new URL(`${base}/${(segments as string[]).map(encodeURIComponent).join('/')}`);
    for (const [k, v] of input.query) if (!this.inbound.query.includes(k)) url.searchParams.append(k, v);
    const headers: Record<string, string> = { 'user-agent': 'capability-runtime/0.1' };
    for (const name of this.trusted) if (input.headers[name] !== undefined) headers[name] = input.headers[name]!;
    if (headers.cookie !== undefined && this.inbound.cookies.length > 0) {
      const kept = headers.cookie.split(';').filter((pair) => !this.inbound.cookies.includes(pair.split('=')[0]!.trim()));
      if (kept.length > 0) headers.cookie = kept.join(';').trim();
      else delete headers.cookie;
    }
    if (input.rawBody && input.contentType) headers['content-type'] = input.contentType;
    if (extra.requestId) headers['x-request-id'] = extra.requestId;
    this.auth?.apply(lookup, headers, url.searchParams, ctx.redactor);
    const operation = `${this.api.namespace} (forward)`;
    const response = await ctx.client.send(
      { method, url, headers, body: input.rawBody },
      {
        signal: ctx.signal,
        trace: extra.trace,
        policies: extra.policies ?? this.policies,
        traits: { operation, idempotent: isIdempotent(method, headers), cacheable: method === 'GET', bypassCache: extra.bypassCache },
      },
    );
    const contentType = response.headers['content-type'];
    return {
      status: response.status,
      hasValue: false,
      raw: { body: response.body, contentType: Array.isArray(contentType) ? contentType[0] : contentType },
      upstream: { status: response.status, durationMs: response.durationMs, operation, headers: response.headers },
    };
  }
}

/** Decodes one path segment (once); undefined for a malformed escape. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
