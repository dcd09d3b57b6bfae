import { createHash } from 'node:crypto';

/** mulberry32: a tiny seeded PRNG, good enough for deterministic fixtures and fault probabilities. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedHash(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Seeded id source: an identical request sequence against a fresh sandbox with
 * the same seed yields identical ids (UUIDs, correlation ids, trace ids, jti).
 */
export class IdSource {
  private counter = 0;
  private fast: () => number;
  constructor(private readonly seed: string) {
    this.fast = prng(seedHash(seed));
  }

  private digest(kind: string): Buffer {
    this.counter += 1;
    return createHash('sha256').update(`${this.seed}:${kind}:${this.counter}`).digest();
  }

  /** RFC 4122 version-4 shaped UUID. */
  uuid(): string {
    const b = this.digest('uuid');
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  /** 16 alphanumeric characters, like Lean's `lean-correlation-id`. */
  correlationId(): string {
    let s = '';
    for (let i = 0; i < 16; i++) s += ALNUM[Math.floor(this.fast() * ALNUM.length)];
    return s;
  }

  private hex(n: number): string {
    let s = '';
    while (s.length < n) s += Math.floor(this.fast() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }

  /** 32 hex characters, like Lean's `lean-trace-id`. */
  traceId(): string {
    return this.hex(32);
  }

  /** 16 hex + colo, like Cloudflare's `cf-ray`. */
  cfRay(): string {
    return `${this.hex(16)}-DXB`;
  }

  reset(): void {
    this.counter = 0;
    this.fast = prng(seedHash(this.seed));
  }
}
