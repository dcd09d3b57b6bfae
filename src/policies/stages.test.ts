/** The rate-limit call stage: what a call carries on after it, on each surface. */
import { describe, expect, it } from 'vitest';
import type { Call } from '../exposes/pipeline/call.js';
import { parsePolicies } from './config.js';
import { RateLimitedError, RateLimiter } from './rate-limit/limiter.js';
import { rateLimitStage } from './stages.js';

const ok = { status: 200, body: {} } as unknown as Awaited<ReturnType<Call['target']['invoke']>>;
const call = (surface: 'rest' | 'mcp'): Call => ({ surface, adapter: 'pay', operation: surface === 'rest' ? 'pay.create' : 'create', caller: 'addr:10.0.0.1', requestId: 'r', target: { invoke: () => Promise.resolve(ok) }, input: {} as Call['input'] });

describe('rateLimitStage', () => {
  const build = () => {
    const policies = parsePolicies({ rateLimit: { requestsPerSecond: 1, burst: 1 } });
    const seen: Call[] = [];
    const handler = rateLimitStage(new RateLimiter(), policies)!((c) => (seen.push(c), Promise.resolve(ok)));
    return { handler, seen };
  };

  it('gives REST calls the RateLimit-* fields to send, and MCP calls none (MCP has no per-call HTTP answer)', async () => {
    const { handler, seen } = build();
    await handler(call('rest'));
    await handler(call('mcp'));
    expect(seen[0]!.replyHeaders).toEqual({ 'ratelimit-limit': '1', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' });
    expect(seen[1]!.replyHeaders).toBeUndefined();
  });

  it('refuses with a rejected promise (never a synchronous throw), without calling on', async () => {
    const { handler, seen } = build();
    await handler(call('mcp'));
    let result: Promise<unknown> | undefined;
    expect(() => (result = handler(call('mcp')))).not.toThrow();
    const error = await result!.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).headers).toMatchObject({ 'retry-after': '1' });
    expect(seen).toHaveLength(1);
  });
});
