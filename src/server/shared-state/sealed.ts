/**
 * Tokens at rest in shared state are sealed with AES-256-GCM: anyone who can
 * read Redis (a backup, a MONITOR, another tenant of the instance) sees only
 * ciphertext. The key comes from the environment (RUNTIME_STATE_KEY, the same
 * on every replica); the Redis key is the associated data, so a value copied
 * under another key does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export const STATE_KEY_ENV = 'RUNTIME_STATE_KEY';
/** A random base64 key of 32 bytes is 44 characters; shorter secrets are too guessable to protect bank tokens. */
const MIN_SECRET_LENGTH = 32;
const VERSION = 'v1';

export class StateKeyError extends Error {}

export class Sealer {
  private constructor(private readonly key: Buffer) {}

  /** Any secret of 32+ characters (e.g. `openssl rand -base64 32`); the AES key is derived from it with HKDF-SHA256. */
  static fromSecret(secret: string | undefined): Sealer {
    if (!secret) {
      throw new StateKeyError(`Shared tokens are stored encrypted: set ${STATE_KEY_ENV} to the same secret on every replica (e.g. \`openssl rand -base64 32\`).`);
    }
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new StateKeyError(`${STATE_KEY_ENV} is too short (${secret.length} characters); use at least ${MIN_SECRET_LENGTH}, e.g. \`openssl rand -base64 32\`.`);
    }
    const key = Buffer.from(hkdfSync('sha256', secret, 'capability-runtime', 'shared-state token seal v1', 32));
    return new Sealer(key);
  }

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plain text, or undefined when the value was sealed with another key, for another context, or tampered with. */
  open(sealed: string, context: string): string | undefined {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[1]!, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(parts[2]!, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
