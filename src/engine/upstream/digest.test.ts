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
});
