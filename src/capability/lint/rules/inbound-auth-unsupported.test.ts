import { describe, expect, it } from 'vitest';
import { lint } from '../testing.js';
import { inboundAuthUnsupported } from './inbound-auth-unsupported.js';

const capability = (auth: string) => `
naftiko: 1.0.0-alpha2
info: {label: t, description: t}
capability:
  consumes:
  - type: http
    namespace: api
    baseUri: https://api.test
    resources:
    - name: r
      path: /r
      operations:
      - {name: get, method: GET}
  exposes:
  - type: rest
    namespace: api-rest
    port: 8080
    authentication: ${auth}
    resources:
    - path: /r
      operations:
      - {method: GET, name: get, call: api.get}
`;

describe('inbound-auth-unsupported', () => {
  it('refuses inbound digest and oauth2 introspection', () => {
    const found = lint(inboundAuthUnsupported, capability('{type: digest, username: a, password: b}'));
    expect(found.map((d) => [d.code, d.severity])).toEqual([['inbound-auth-unsupported', 'error']]);
    expect(lint(inboundAuthUnsupported, capability('{type: oauth2, authorizationServerUri: "https://as.test", resource: "https://api.test", tokenValidation: introspection}'))).toHaveLength(1);
  });
  it('accepts the kinds the runtime enforces', () => {
    expect(lint(inboundAuthUnsupported, capability('{type: bearer, token: "{{env.GATEWAY_TOKEN}}"}'))).toEqual([]);
    expect(lint(inboundAuthUnsupported, capability('{type: apikey, key: X-Api-Key, value: k, placement: header}'))).toEqual([]);
    expect(lint(inboundAuthUnsupported, capability('{type: oauth2, authorizationServerUri: "https://as.test", resource: "https://api.test"}'))).toEqual([]);
  });
});
