import { describe, expect, it } from 'vitest';
import { encodeForm } from './upstream/body.js';
import { REDACTED, Redactor, base64Fragments } from './redact.js';

const jsonEscape = (text: string) => JSON.stringify(text).slice(1, -1);
const SECRET = `s3cr"t\\ p@ss!(x)'~*&<>`;

describe('Redactor', () => {
  it('redacts every encoding the runtime gives a secret on its way out (issue 11 item 5)', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const forms = {
      raw: SECRET,
      uriComponent: encodeURIComponent(SECRET),
      templateForm: encodeURIComponent(SECRET).replace(/%20/g, '+'),
      urlSearchParams: new URLSearchParams({ k: SECRET }).toString().slice(2),
      formBody: encodeForm({ k: SECRET }).slice(2),
      json: jsonEscape(SECRET),
      jsonInJson: jsonEscape(jsonEscape(SECRET)),
      jsonInJsonInLog: jsonEscape(jsonEscape(jsonEscape(SECRET))),
      xml: SECRET.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'),
    };
    for (const [name, form] of Object.entries(forms)) {
      expect(redactor.redact(`before ${form} after`), name).toBe(`before ${REDACTED} after`);
    }
  });

  it('redacts first, then trims: a secret at the cut leaves no prefix (item 4)', () => {
    const redactor = new Redactor();
    const secret = 'tok_ABCDEFGHIJKLMNOP';
    redactor.add(secret);
    for (let at = 0; at < 40; at++) {
      const text = `${'x'.repeat(at)}${secret}${'y'.repeat(50)}`;
      const clipped = redactor.clip(text, 30);
      expect(clipped).not.toContain('tok_A');
      expect(clipped.length).toBeLessThanOrEqual(30 + REDACTED.length + 1);
    }
    expect(redactor.clip('short', 30)).toBe('short');
    expect(redactor.clip('x'.repeat(40), 30, (n) => ` (+${n})`)).toBe(`${'x'.repeat(30)} (+10)`);
  });

  it('hides a secret inside any Basic credential built around it, whatever the other part', () => {
    const redactor = new Redactor();
    redactor.add('hunter2-password', { base64: true });
    for (const user of ['', 'a', 'ab', 'abc', 'user-17', 'ü']) {
      const credential = Buffer.from(`${user}:hunter2-password`).toString('base64');
      const out = redactor.redact(`Basic ${credential}`);
      expect(out).toContain(REDACTED);
      // What is left decodes to no more than the caller's own username and a byte of context.
      const left = out.replace(`Basic `, '').split(REDACTED).join('');
      expect(left.length).toBeLessThanOrEqual(Buffer.from(`${user}:`).toString('base64').length + 4);
    }
    for (const other of ['x', 'xy', 'xyz']) {
      const credential = Buffer.from(`hunter2-password:${other}`).toString('base64');
      expect(redactor.redact(credential)).toContain(REDACTED);
    }
    expect(base64Fragments('abc')).toEqual([]); // too short to be told from chance
  });

  it('stays bounded: adding the same value again grows nothing, forget() removes its forms', () => {
    const redactor = new Redactor();
    redactor.add('token-one-1234');
    const size = redactor.size;
    for (let i = 0; i < 100; i++) redactor.add('token-one-1234');
    expect(redactor.size).toBe(size);
    redactor.add('token-two-5678');
    redactor.forget('token-one-1234');
    expect(redactor.redact('token-one-1234 token-two-5678')).toBe(`token-one-1234 ${REDACTED}`);
    redactor.forget('token-two-5678');
    expect(redactor.size).toBe(0);
  });
});
