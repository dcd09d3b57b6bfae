import { describe, expect, it } from 'vitest';
import { Admission, QueueFullError } from './admission.js';

describe('admission to an origin', () => {
  it('caps one operation at its share of the slots and hands freed slots out in turn', async () => {
    const gate = new Admission(4, 0.5);
    expect(gate.acquire('slow', 100)).toBeUndefined();
    expect(gate.acquire('slow', 100)).toBeUndefined();
    const order: string[] = [];
    const slowWaiting = [gate.acquire('slow', 100)!, gate.acquire('slow', 100)!].map((p) => p.then(() => order.push('slow')));
    // Two slots stay free for other operations although `slow` has waiters.
    expect(gate.acquire('fast', 100)).toBeUndefined();
    expect(gate.acquire('other', 100)).toBeUndefined();
    expect(gate.inUse).toBe(4);
    const fast = gate.acquire('fast', 100)!.then(() => order.push('fast'));
    const other = gate.acquire('other', 100)!.then(() => order.push('other'));
    gate.release('slow');
    gate.release('fast');
    gate.release('other');
    await Promise.all([fast, other, slowWaiting[0]]);
    expect(order).toEqual(['slow', 'fast', 'other']);
    gate.release('slow');
    await slowWaiting[1];
    expect(gate.queued).toBe(0);
  });

  it('refuses beyond the queue bound and lets an aborted waiter leave the queue', async () => {
    const gate = new Admission(2, 0.5);
    expect(gate.acquire('a', 4)).toBeUndefined();
    const controller = new AbortController();
    const first = gate.acquire('a', 4, controller.signal)!;
    const second = gate.acquire('a', 4)!;
    await expect(gate.acquire('a', 4)).rejects.toBeInstanceOf(QueueFullError); // a's share of the queue: 2
    controller.abort(new Error('deadline'));
    await expect(first).rejects.toThrow('deadline');
    expect(gate.queued).toBe(1);
    gate.release('a');
    await second;
    expect(gate.inUse).toBe(1);
  });
});
