/**
 * Admission to one origin's sockets. undici's Pool queues without bound and
 * without a deadline, and serves its queue first-come-first-served, so one
 * hanging operation that fills every socket makes every other operation on
 * that origin wait behind it. This gate sits in front of the pool and admits
 * at most `slots` calls at once (the pool's socket count, so undici never
 * queues), with three rules:
 *
 * - Fair share: one operation holds at most `share` of the slots (default
 *   half), always — whether others compete is only known once they arrive,
 *   and by then a hanging operation would hold every socket until its
 *   deadline. The rest stays free for the other operations of the origin.
 * - Bounded queue: at most `queueMax` calls wait per origin, and one
 *   operation at most `share` of that; beyond, the call is refused at once
 *   (503 with `Retry-After`) instead of waiting for nothing.
 * - Round robin: a freed slot goes to the next operation in turn, not to the
 *   oldest waiter, so a flood of one operation cannot starve another.
 *
 * Waiting is bounded by the call's deadline (the caller's AbortSignal): a
 * waiter whose deadline passes leaves the queue.
 */

export class QueueFullError extends Error {
  constructor(readonly waiting: number) {
    super('queue full');
  }
}

interface Waiter {
  operation: string;
  grant: () => void;
  fail: (error: Error) => void;
  done: boolean;
}

interface OperationState {
  active: number;
  queue: Waiter[];
}

export class Admission {
  private readonly operations = new Map<string, OperationState>();
  /** Operations with waiters, in round-robin order. */
  private readonly turn: string[] = [];
  private active = 0;
  private waiting = 0;

  constructor(
    readonly slots: number,
    private readonly share = 0.5,
  ) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting;
  }

  /** Slots one operation may hold while another operation is active or waiting. */
  private cap(): number {
    return Math.max(1, Math.floor(this.slots * this.share));
  }

  private state(operation: string): OperationState {
    let state = this.operations.get(operation);
    if (!state) {
      state = { active: 0, queue: [] };
      this.operations.set(operation, state);
    }
    return state;
  }

  private canRun(state: OperationState): boolean {
    return this.active < this.slots && state.active < this.cap();
  }

  /**
   * Resolves when a slot is held (call `release` exactly once after), rejects with QueueFullError
   * when the queue is full, or with the signal's reason when the deadline passes first.
   */
  acquire(operation: string, queueMax: number, signal?: AbortSignal): Promise<void> | undefined {
    const state = this.state(operation);
    if (state.queue.length === 0 && this.canRun(state)) {
      state.active++;
      this.active++;
      return undefined; // admitted at once: no promise, no allocation
    }
    const perOperation = Math.max(1, Math.ceil(queueMax * this.share));
    if (this.waiting >= queueMax || state.queue.length >= perOperation) {
      this.forget(operation, state);
      return Promise.reject(new QueueFullError(this.waiting));
    }
    if (signal?.aborted) return Promise.reject(asError(signal.reason));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        operation,
        done: false,
        grant: () => {
          waiter.done = true;
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          waiter.done = true;
          reject(error);
        },
      };
      const onAbort = () => {
        if (waiter.done) return;
        const index = state.queue.indexOf(waiter);
        if (index >= 0) state.queue.splice(index, 1);
        this.waiting--;
        if (state.queue.length === 0) this.leaveTurn(operation);
        this.forget(operation, state);
        waiter.fail(asError(signal!.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (state.queue.length === 0) this.turn.push(operation);
      state.queue.push(waiter);
      this.waiting++;
    });
  }

  release(operation: string): void {
    const state = this.operations.get(operation);
    if (!state) return;
    state.active--;
    this.active--;
    this.forget(operation, state);
    this.dispatch();
  }

  /** Hands free slots to waiting operations in turn. */
  private dispatch(): void {
    let skipped = 0;
    while (this.turn.length > 0 && this.active < this.slots && skipped < this.turn.length) {
      const operation = this.turn.shift()!;
      const state = this.operations.get(operation)!;
      if (!this.canRun(state)) {
        this.turn.push(operation);
        skipped++;
        continue;
      }
      skipped = 0;
      const waiter = state.queue.shift()!;
      this.waiting--;
      state.active++;
      this.active++;
      if (state.queue.length > 0) this.turn.push(operation);
      waiter.grant();
    }
  }

  private leaveTurn(operation: string): void {
    const index = this.turn.indexOf(operation);
    if (index >= 0) this.turn.splice(index, 1);
  }

  /** Operation names come from files, but templated forwards could vary: keep no empty state. */
  private forget(operation: string, state: OperationState): void {
    if (state.active === 0 && state.queue.length === 0) this.operations.delete(operation);
  }
}

/** Abort reasons may be anything; a rejection is always an Error (the caller reads its own signal for the why). */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}
