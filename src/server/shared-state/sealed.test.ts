import { describe, expect, it } from 'vitest';
import { Sealer, StateKeyError } from './sealed.js';

const SECRET = 'a-test-secret-of-at-least-thirty-two-chars';

describe('Sealer (AES-256-GCM for tokens at rest)', () => {
  it('round-trips, with a fresh IV each time and nothing of the plain text visible', () => {
    const sealer = Sealer.fromSecret(SECRET);
    const a = sealer.seal('eyJhbGciOi.token.value', 'key:1');
    const b = sealer.seal('eyJhbGciOi.token.value', 'key:1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('eyJ');
    expect(sealer.open(a, 'key:1')).toBe('eyJhbGciOi.token.value');
  });

  it('does not open under another key, another context, or after tampering', () => {
    const sealed = Sealer.fromSecret(SECRET).seal('secret-token', 'key:1');
    expect(Sealer.fromSecret(`${SECRET}-other`).open(sealed, 'key:1')).toBeUndefined();
    expect(Sealer.fromSecret(SECRET).open(sealed, 'key:2')).toBeUndefined();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('forged').toString('base64url');
    expect(Sealer.fromSecret(SECRET).open(parts.join('.'), 'key:1')).toBeUndefined();
    expect(Sealer.fromSecret(SECRET).open('not sealed', 'key:1')).toBeUndefined();
  });

  it('refuses a missing or short key with a message naming RUNTIME_STATE_KEY', () => {
    expect(() => Sealer.fromSecret(undefined)).toThrow(StateKeyError);
    expect(() => Sealer.fromSecret(undefined)).toThrow(/RUNTIME_STATE_KEY/);
    expect(() => Sealer.fromSecret('short')).toThrow(/too short/);
  });
});
