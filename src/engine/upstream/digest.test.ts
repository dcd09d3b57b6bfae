import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answerDigestChallenge } from './digest.js';

// RFC 7616 §3.9.1 example.
const CHALLENGE = (algorithm: string) =>
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
const CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
const url = new URL('http://www.example.org/dir/index.html');
const credentials = { username: 'Mufasa', password: 'Circle of Life' };

describe('digest (RFC 7616)', () => {
  it('MD5 example vector', () => {
    const header = answerDigestChallenge(CHALLENGE('MD5'), credentials, 'GET', url, CNONCE)!;
    expect(header).toContain('response="8ca523f5e9506fed4657c9700eebdbec"');
    expect(header).toBe(
      'Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", algorithm=MD5, response="8ca523f5e9506fed4657c9700eebdbec", qop=auth, nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
  });

  it('SHA-256 example vector', () => {
    expect(answerDigestChallenge(CHALLENGE('SHA-256'), credentials, 'GET', url, CNONCE)).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
  });

  it('picks the Digest challenge among several; none, no nonce or an unknown algorithm → undefined', () => {
    expect(answerDigestChallenge(['Basic realm="x"', CHALLENGE('MD5')], credentials, 'GET', url, CNONCE)).toContain('8ca523f5e9506fed4657c9700eebdbec');
    expect(answerDigestChallenge('Basic realm="x"', credentials, 'GET', url)).toBeUndefined();
    expect(answerDigestChallenge('Digest realm="x"', credentials, 'GET', url)).toBeUndefined();
    expect(answerDigestChallenge('Digest realm="x", nonce="n", algorithm=SHA-512-256', credentials, 'GET', url)).toBeUndefined();
    expect(answerDigestChallenge(undefined, credentials, 'GET', url)).toBeUndefined();
  });

  it('escapes quotes and backslashes in the username and in echoed challenge values', () => {
    const challenge = 'Digest realm="the \\"inner\\" realm", nonce="n\\\\1", qop="auth", opaque="o\\"p"';
    const user = { username: 'Mu"fa\\sa', password: 'pw' };
    const header = answerDigestChallenge(challenge, user, 'GET', url, 'c')!;
    expect(header).toContain('username="Mu\\"fa\\\\sa"');
    const fields = parseAuthorization(header);
    expect(fields).toMatchObject({ username: 'Mu"fa\\sa', realm: 'the "inner" realm', nonce: 'n\\1', opaque: 'o"p', uri: '/dir/index.html' });
    // The response is computed over the unescaped values, as the server recomputes it.
    const md5 = (v: string) => createHash('md5').update(v).digest('hex');
    const ha1 = md5(`Mu"fa\\sa:the "inner" realm:pw`);
    expect(fields.response).toBe(md5(`${ha1}:n\\1:00000001:c:auth:${md5('GET:/dir/index.html')}`));
  });

  it('a non-ASCII or control-character username goes in username* (RFC 8187), never raw', () => {
    const header = answerDigestChallenge(CHALLENGE('MD5'), { username: 'Jäsøn Doe', password: 'pw' }, 'GET', url, CNONCE)!;
    expect(header).toContain("username*=UTF-8''J%C3%A4s%C3%B8n%20Doe");
    expect(header).not.toContain('username="');
    const injected = answerDigestChallenge(CHALLENGE('MD5'), { username: "a\r\nX-Evil: 1'", password: 'pw' }, 'GET', url, CNONCE)!;
    expect(injected).not.toMatch(/[\r\n]/);
    expect(injected).toContain("username*=UTF-8''a%0D%0AX-Evil%3A%201%27");
  });
});

/** A server's view of the Authorization header: quoted-strings unescaped. */
function parseAuthorization(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/, '').matchAll(/([a-z*]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/gi)) {
    out[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return out;
}
