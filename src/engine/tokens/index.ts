/**
 * Runtime-level token providers: "the bind variable X comes from an OAuth2
 * grant", configured outside capability files (flag or runtime.yaml) and
 * handed to the runtime as `GatewayOptions.providers`.
 *
 *   const factory = parseTokenProviderSpec(flags.tokenProvider);        // or tokenProvidersFromConfig(yaml.tokenProviders)
 *   const providers = factory.create({ routes: config.upstreams, env, redactor });
 *   const runtime = await Gateway.start({ ..., providers, redactor });
 *   providers.useLogger(runtime.logger);
 *   ...
 *   await providers.close();
 */
import type { ValueProvider } from '../binds.js';
import { UpstreamClient } from '../upstream/client.js';
import { ClientCredentialsProvider, type TokenLogger, type TokenProviderDeps } from './client-credentials.js';
import { describeSpec, mergeTokenProviderSpecs, parseTokenProviderSpecs, tokenProviderSpecsFromConfig, type TokenProviderSpec } from './config.js';

export { ClientCredentialsProvider, decodeJwtClaims } from './client-credentials.js';
export type { ProviderCallContext, TokenLogger, TokenProviderDeps, TokenProviderStats } from './client-credentials.js';
export { TokenProviderConfigError, describeSpec, mergeTokenProviderSpecs, parseTokenProviderSpecs, tokenProviderSpecsFromConfig } from './config.js';
export type { CredentialSource, TokenProviderSpec } from './config.js';
export { tokenStoreKey } from './store.js';
export type { SharedToken, TokenStore } from './store.js';

/** The providers of one runtime, by bind variable (pass as `GatewayOptions.providers`). */
export class TokenProviders extends Map<string, ValueProvider> {
  private readonly ownClient?: UpstreamClient;

  constructor(readonly list: readonly ClientCredentialsProvider[], ownClient?: UpstreamClient) {
    super(list.map((p) => [p.variable, p]));
    this.ownClient = ownClient;
  }

  provider(variable: string): ClientCredentialsProvider | undefined {
    return this.list.find((p) => p.variable === variable);
  }

  /** Log lines go here from now on (the runtime's logger exists only once it started). */
  useLogger(logger: TokenLogger | undefined): void {
    for (const p of this.list) p.useLogger(logger);
  }

  /** `{variable, describe, tokenUrl, missing}` per provider: safe startup lines and warnings. */
  summary(): { variable: string; describe: string; tokenUrl: string; missing: string[] }[] {
    return this.list.map((p) => ({ variable: p.variable, describe: describeSpec(p.spec), tokenUrl: p.effectiveTokenUrl, missing: p.missing() }));
  }

  async close(): Promise<void> {
    await this.ownClient?.close();
  }
}

/** Parsed token provider configuration that builds the providers once the runtime's services exist. */
export interface TokenProviderFactory {
  readonly specs: readonly TokenProviderSpec[];
  create(deps?: TokenProviderDeps): TokenProviders;
  /** Another factory's specs win per variable (flags over runtime.yaml). */
  merge(override: TokenProviderFactory): TokenProviderFactory;
}

export function tokenProviderFactory(specs: readonly TokenProviderSpec[]): TokenProviderFactory {
  return {
    specs,
    create: (deps = {}) => createTokenProviders(specs, deps),
    merge: (override) => tokenProviderFactory(mergeTokenProviderSpecs([...specs], [...override.specs])),
  };
}

/** `--token-provider VARIABLE=client_credentials:URL?options` (one string or the repeated flag's values). */
export function parseTokenProviderSpec(text: string | readonly string[]): TokenProviderFactory {
  return tokenProviderFactory(parseTokenProviderSpecs(text));
}

/** The `tokenProviders:` section of runtime.yaml (see `tokenProviderSpecsFromConfig` for the accepted shapes). */
export function tokenProvidersFromConfig(section: unknown, origin?: string): TokenProviderFactory {
  return tokenProviderFactory(tokenProviderSpecsFromConfig(section, origin));
}

export function createTokenProviders(specs: readonly TokenProviderSpec[], deps: TokenProviderDeps = {}): TokenProviders {
  const ownClient = deps.client ? undefined : new UpstreamClient({ timeoutMs: 10_000, connections: 4 });
  const client = deps.client ?? ownClient!;
  return new TokenProviders(
    specs.map((spec) => new ClientCredentialsProvider(spec, client, deps)),
    ownClient,
  );
}

export { registerTokenProviderMetrics } from './metrics.js';
