import { describe, expect, it } from 'vitest';
import { lint } from '../testing.js';
import { forwardTargetUnresolved } from './forward-target-unresolved.js';

const capability = (target: string) => `
naftiko: 1.0.0-alpha2
info: {label: t, description: t}
capability:
  consumes:
  - type: http
    namespace: backend
    baseUri: https://api.test
    resources:
    - name: r
      path: /r
      operations:
      - {name: get, method: GET}
  exposes:
  - type: rest
    namespace: proxy-rest
    port: 8080
    resources:
    - path: /v1/{path}
      forward: {targetNamespace: ${target}, trustedHeaders: [X-Trace]}
`;

describe('forward-target-unresolved', () => {
  it('reports a forward to an unknown namespace with the nearest one', () => {
    const found = lint(forwardTargetUnresolved, capability('backnd'));
    expect(found.map((d) => [d.code, d.severity])).toEqual([['forward-target-unresolved', 'error']]);
    expect(found[0]!.hint).toContain('backend');
  });
  it('accepts a forward to a consumed namespace', () => {
    expect(lint(forwardTargetUnresolved, capability('backend'))).toEqual([]);
  });
});
