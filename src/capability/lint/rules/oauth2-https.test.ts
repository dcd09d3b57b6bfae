import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { oauth2Https as rule } from './oauth2-https.js';

const withOAuth = (settings: Record<string, unknown>) =>
  lint(rule, variant((doc) => (at.rest(doc).authentication = { type: 'oauth2', scopes: ['read'], ...settings })));

describe('oauth2-https', () => {
  it('accepts https URIs', () => {
    expect(lint(rule, BASE)).toEqual([]);
    expect(withOAuth({ authorizationServerUri: 'https://auth.test.dev', resource: 'https://api.test.dev' })).toEqual([]);
  });

  it('reports an http authorization server (error) and resource (warning)', () => {
    const found = withOAuth({ authorizationServerUri: 'http://auth.test.dev', resource: 'http://api.test.dev' });
    expect(found.map((d) => [d.pointer, d.severity])).toEqual([
      ['/capability/exposes/0/authentication/authorizationServerUri', 'error'],
      ['/capability/exposes/0/authentication/resource', 'warning'],
    ]);
  });

  it('downgrades loopback to a warning', () => {
    expect(withOAuth({ authorizationServerUri: 'http://localhost:8081', resource: 'https://api.test.dev' })[0]).toMatchObject({ severity: 'warning' });
  });
});
