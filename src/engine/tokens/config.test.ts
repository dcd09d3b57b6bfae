import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { describeSpec, parseTokenProviderSpec, parseTokenProviderSpecs, tokenProviderSpecsFromConfig, tokenProvidersFromConfig, TokenProviderConfigError } from './index.js';

const LEAN = 'LEAN_API_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_env=LEAN_CLIENT_SECRET&scope=api';

describe('--token-provider syntax', () => {
  it('parses the Lean api-token flag with defaults', () => {
    const [spec] = parseTokenProviderSpecs(LEAN);
    expect(spec).toMatchObject({
      variable: 'LEAN_API_TOKEN',
      grant: 'client_credentials',
      tokenUrl: 'https://auth.leantech.me/oauth2/token',
      clientId: { env: 'LEAN_CLIENT_ID' },
      clientSecret: { env: 'LEAN_CLIENT_SECRET' },
      scope: 'api',
      auth: 'post',
      skewSeconds: 60,
      minValiditySeconds: 0,
      negativeTtlSeconds: 30,
      params: [],
    });
    expect(describeSpec(spec!)).toBe(
      'LEAN_API_TOKEN ← client_credentials https://auth.leantech.me/oauth2/token scope=api (client id $LEAN_CLIENT_ID, secret $LEAN_CLIENT_SECRET, client_secret_post)',
    );
  });

  it('parses customer-scoped placeholders, uuid patterns, options and repeated flags', () => {
    const specs = parseTokenProviderSpecs([
      LEAN,
      'LEAN_CUSTOMER_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_file=/run/secrets/lean&scope=customer.{customer_id}&param_pattern=uuid&min_validity=900&auth=basic&namespace=lean-auth&skew=30&max_entries=50',
    ]);
    const customer = specs[1]!;
    expect(customer).toMatchObject({ params: ['customer_id'], minValiditySeconds: 900, auth: 'basic', namespace: 'lean-auth', skewSeconds: 30, maxEntries: 50, clientSecret: { file: '/run/secrets/lean' } });
    expect(customer.paramPattern.test('c0570000-0000-4000-8000-000000000001')).toBe(true);
    expect(customer.paramPattern.test('api customer.x')).toBe(false);
    // whitespace-separated list (RUNTIME_TOKEN_PROVIDERS), `+` is a space inside scope
    const env = parseTokenProviderSpecs(`${LEAN}\n  X_TOKEN=client_credentials:https://idp.example.com/token?client_id=abc&client_secret_env=X_SECRET&scope=read+write`);
    expect(env.map((s) => s.variable)).toEqual(['LEAN_API_TOKEN', 'X_TOKEN']);
    expect(env[1]).toMatchObject({ clientId: { value: 'abc' }, scope: 'read write' });
  });

  it('rejects what would be unsafe or ambiguous, naming the problem', () => {
    const bad = (text: string) => () => parseTokenProviderSpecs(text);
    expect(bad('LEAN_API_TOKEN')).toThrow(/expects VARIABLE=client_credentials:TOKEN_URL/);
    expect(bad('LEAN_API_TOKEN=password:https://a.example/token?client_id=a&client_secret_env=S')).toThrow(/grant `password` is not supported/);
    expect(bad('LEAN_API_TOKEN=client_credentials:https://a.example/token?client_id=a&client_secret=shh')).toThrow(/never be written in configuration/);
    expect(bad('LEAN_API_TOKEN=client_credentials:https://a.example/token?client_id=a')).toThrow(/client_secret_env or client_secret_file/);
    expect(bad('LEAN_API_TOKEN=client_credentials:https://a.example/token?client_secret_env=S')).toThrow(/client_id_env, client_id_file or client_id/);
    expect(bad('LEAN_API_TOKEN=client_credentials:http://auth.example.com/token?client_id=a&client_secret_env=S')).toThrow(/clear text/);
    expect(bad('LEAN_API_TOKEN=client_credentials:https://a.example/token?client_id=a&client_secret_env=S&scoop=api')).toThrow(/unknown option `scoop`/);
    expect(bad('LEAN_API_TOKEN=client_credentials:https://a.example/token?client_id=a&client_secret_env=S&skew=-1')).toThrow(/skew/);
    expect(bad('LEAN_API_TOKEN=client_credentials:https://a.example/token?client_id=a&client_secret_env=S&scope=customer.{id')).toThrow(/unbalanced/);
    expect(bad(`${LEAN} ${LEAN}`)).toThrow(/configured twice/);
    expect(bad('1X=client_credentials:https://a.example/token?client_id=a&client_secret_env=S')).toThrow(TokenProviderConfigError);
    // loopback http is fine (sandboxes), and so is an explicit opt-in
    expect(parseTokenProviderSpecs('T=client_credentials:http://127.0.0.1:4010/oauth2/token?client_id=a&client_secret_env=S')).toHaveLength(1);
    expect(parseTokenProviderSpecs('T=client_credentials:http://idp.internal/token?client_id=a&client_secret_env=S&insecure=true')).toHaveLength(1);
  });

  it('returns a factory that builds ValueProviders by variable', async () => {
    const factory = parseTokenProviderSpec(LEAN);
    const providers = factory.create({ env: {} });
    expect([...providers.keys()]).toEqual(['LEAN_API_TOKEN']);
    expect(providers.summary()[0]!.missing).toEqual(['environment variable LEAN_CLIENT_ID', 'environment variable LEAN_CLIENT_SECRET']);
    await expect(providers.get('LEAN_API_TOKEN')!.get('LEAN_API_TOKEN')).rejects.toThrow(/needs the environment variable `LEAN_CLIENT_ID`/);
    await providers.close();
  });
});

describe('runtime.yaml tokenProviders', () => {
  it('accepts a map of objects (camelCase, snake_case, nested sources), a map of flag values and a list', () => {
    const yaml = parseYaml(`
tokenProviders:
  LEAN_API_TOKEN:
    tokenUrl: https://auth.sandbox.leantech.me/oauth2/token
    clientIdEnv: LEAN_CLIENT_ID
    clientSecretEnv: LEAN_CLIENT_SECRET
    scope: api
    skewSeconds: 90
  LEAN_CUSTOMER_TOKEN:
    token_url: https://auth.sandbox.leantech.me/oauth2/token
    client_id: { env: LEAN_CLIENT_ID }
    client_secret: { file: /run/secrets/lean }
    scope: customer.{customer_id}
    param-pattern: uuid
    min-validity: 900
  OTHER: client_credentials:https://idp.example.com/token?client_id=abc&client_secret_env=OTHER_SECRET
`) as { tokenProviders: unknown };
    const specs = tokenProviderSpecsFromConfig(yaml.tokenProviders);
    expect(specs.map((s) => [s.variable, s.tokenUrl, s.scope])).toEqual([
      ['LEAN_API_TOKEN', 'https://auth.sandbox.leantech.me/oauth2/token', 'api'],
      ['LEAN_CUSTOMER_TOKEN', 'https://auth.sandbox.leantech.me/oauth2/token', 'customer.{customer_id}'],
      ['OTHER', 'https://idp.example.com/token', undefined],
    ]);
    expect(specs[0]!.skewSeconds).toBe(90);
    expect(specs[1]).toMatchObject({ clientId: { env: 'LEAN_CLIENT_ID' }, clientSecret: { file: '/run/secrets/lean' }, minValiditySeconds: 900, params: ['customer_id'] });
    expect(specs[2]!.origin).toBe('runtime.yaml tokenProviders.OTHER');

    const list = tokenProviderSpecsFromConfig([LEAN, { variable: 'B', tokenUrl: 'https://idp.example.com/t', clientId: 'b', clientSecretEnv: 'B_SECRET' }]);
    expect(list.map((s) => s.variable)).toEqual(['LEAN_API_TOKEN', 'B']);
    expect(tokenProviderSpecsFromConfig(undefined)).toEqual([]);
  });

  it('reports the key path of a mistake', () => {
    expect(() => tokenProviderSpecsFromConfig({ LEAN_API_TOKEN: { tokenUrl: 'https://a.example/t', clientIdEnv: 'A', clientSecretEnv: 'S', colour: 'red' } })).toThrow(
      /runtime.yaml tokenProviders.LEAN_API_TOKEN: unknown key `colour`/,
    );
    expect(() => tokenProviderSpecsFromConfig({ X: { tokenUrl: 'https://a.example/t', clientId: 'a', clientSecret: 'inline!' } })).toThrow(/never be written/);
    expect(() => tokenProviderSpecsFromConfig('nope')).toThrow(/expected a map/);
  });

  it('merges: flags win over runtime.yaml per variable', () => {
    const config = tokenProvidersFromConfig({ LEAN_API_TOKEN: { tokenUrl: 'https://auth.sandbox.leantech.me/oauth2/token', clientIdEnv: 'A', clientSecretEnv: 'S', scope: 'api' } });
    const merged = config.merge(parseTokenProviderSpec(LEAN));
    expect(merged.specs).toHaveLength(1);
    expect(merged.specs[0]!.tokenUrl).toBe('https://auth.leantech.me/oauth2/token');
  });
});
