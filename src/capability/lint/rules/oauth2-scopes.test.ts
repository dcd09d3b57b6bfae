import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { oauth2Scopes as rule } from './oauth2-scopes.js';

describe('oauth2-scopes', () => {
  it('accepts declared scopes and non-oauth2 auth', () => {
    expect(lint(rule, BASE)).toEqual([]);
    expect(lint(rule, variant((doc) => (at.rest(doc).authentication = { type: 'oauth2', authorizationServerUri: 'https://a', resource: 'https://b', scopes: ['r'] })))).toEqual([]);
  });

  it('warns when no scopes are declared', () => {
    const [d] = lint(rule, variant((doc) => (at.rest(doc).authentication = { type: 'oauth2', authorizationServerUri: 'https://a', resource: 'https://b' })));
    expect(d).toMatchObject({ code: 'oauth2-scopes', severity: 'warning', pointer: '/capability/exposes/0/authentication' });
  });
});
