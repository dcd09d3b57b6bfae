import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { baseUriExample as rule } from './baseuri-example.js';

describe('baseuri-example', () => {
  it('accepts real hosts (and hosts merely containing "example")', () => {
    expect(lint(rule, BASE)).toEqual([]);
    expect(lint(rule, variant((doc) => (at.api(doc).baseUri = 'https://api.myexample.company')))).toEqual([]);
  });

  it('notes (info) an example.com base URI', () => {
    const [d] = lint(rule, variant((doc) => (at.api(doc).baseUri = 'https://api.example.com/v1')));
    expect(d).toMatchObject({ code: 'baseuri-example', severity: 'info', pointer: '/capability/consumes/0/baseUri' });
  });

  it('warns about an example.com adapter address', () => {
    const [d] = lint(rule, variant((doc) => (at.rest(doc).address = 'example.com')));
    expect(d).toMatchObject({ severity: 'warning', pointer: '/capability/exposes/0/address' });
  });
});
