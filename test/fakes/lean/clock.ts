/**
 * The single fake clock of the Lean sandbox. Token iat/exp, envelope timestamps,
 * created_at fields and every state transition (refreshes, payments, refunds)
 * read from it, so tests can expire tokens or finish refreshes without sleeping.
 */
export interface ClockOptions {
  /** Start instant (ISO string, Date or epoch ms). Default: the real current time. */
  start?: string | Date | number;
  /** When true, time does not move unless advance()/set() is called. Default false. */
  frozen?: boolean;
}

export class FakeClock {
  private base: number;
  private realAtBase: number;
  private offsetMs = 0;
  private readonly frozen: boolean;
  private readonly initialStart: number | undefined;

  constructor(options: ClockOptions = {}) {
    this.frozen = options.frozen ?? false;
    this.initialStart = options.start === undefined ? undefined : toMs(options.start);
    this.base = this.initialStart ?? Date.now();
    this.realAtBase = Date.now();
  }

  /** Current fake time in epoch milliseconds. */
  now(): number {
    const moved = this.frozen ? 0 : Date.now() - this.realAtBase;
    return this.base + moved + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Moves the fake clock forward (or backward with a negative value). */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  /** Jumps to an absolute instant. */
  set(at: string | Date | number): void {
    this.base = toMs(at);
    this.realAtBase = Date.now();
    this.offsetMs = 0;
  }

  reset(): void {
    this.base = this.initialStart ?? Date.now();
    this.realAtBase = Date.now();
    this.offsetMs = 0;
  }
}

function toMs(v: string | Date | number): number {
  if (typeof v === 'number') return v;
  const ms = typeof v === 'string' ? Date.parse(v) : v.getTime();
  if (Number.isNaN(ms)) throw new Error(`lean sandbox: invalid clock instant ${String(v)}`);
  return ms;
}
