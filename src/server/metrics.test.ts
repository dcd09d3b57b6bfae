import { describe, expect, it } from 'vitest';
import { RuntimeMetrics, type MetricsSource } from './metrics.js';

const source: MetricsSource = { inFlight: () => 2, ready: () => true, listeners: () => [{ kind: 'rest' }, { kind: 'mcp' }], files: () => 3, generation: () => 1 };

describe('RuntimeMetrics', () => {
  it('records requests and upstream calls in its own registry', async () => {
    const a = new RuntimeMetrics(source, { processMetrics: false });
    const b = new RuntimeMetrics(source, { processMetrics: false });
    for (let i = 0; i < 5; i++) a.request({ surface: 'rest', adapter: 'x-rest', operation: 'x-rest.list', status: 200, durationMs: 12, upstreamStatus: 200, upstreamMs: 8 });
    a.request({ surface: 'mcp', adapter: 'x-mcp', operation: 'list-x', status: 502, durationMs: 3 });
    a.reload('applied');
    a.validation(2);
    const text = await a.text();
    expect(text).toContain('runtime_requests_total{surface="rest",adapter="x-rest",operation="x-rest.list",status="200"} 5');
    expect(text).toContain('runtime_requests_total{surface="mcp",adapter="x-mcp",operation="list-x",status="502"} 1');
    expect(text).toContain('runtime_request_duration_seconds_bucket{le="0.025",surface="rest",adapter="x-rest",operation="x-rest.list",status="200"} 5');
    expect(text).toContain('runtime_upstream_requests_total{adapter="x-rest",operation="x-rest.list",status="200"} 5');
    expect(text).toContain('runtime_reloads_total{result="applied"} 1');
    expect(text).toContain('runtime_validation_errors_total 2');
    expect(text).toContain('runtime_requests_in_flight 2');
    expect(text).toContain('runtime_listeners{kind="control"} 0');
    expect(text).not.toContain('process_cpu');
    expect(await b.text()).not.toContain('x-rest');
  });

  it('counts rate-limit refusals and reports the limiter’s buckets', async () => {
    const m = new RuntimeMetrics(source, { processMetrics: false });
    expect(await m.text()).toContain('runtime_rate_limit_buckets 0');
    m.watchRateLimiter(() => ({ buckets: 7, evictions: 1 }));
    m.rateLimited({ surface: 'rest', adapter: 'pay', operation: 'pay.create' });
    m.rateLimited({ surface: 'rest', adapter: 'pay', operation: 'pay.create' });
    m.rateLimited({ surface: 'mcp', adapter: 'pay-mcp', operation: 'create-payment' });
    const text = await m.text();
    expect(text).toContain('runtime_rate_limited_total{surface="rest",adapter="pay",operation="pay.create"} 2');
    expect(text).toContain('runtime_rate_limited_total{surface="mcp",adapter="pay-mcp",operation="create-payment"} 1');
    expect(text).toContain('runtime_rate_limit_buckets 7');
    expect(text).toContain('runtime_rate_limit_evictions 1');
  });

  it('records every sample through its pre-bound label children (timing lives in bench/)', async () => {
    const m = new RuntimeMetrics(source, { processMetrics: false });
    const sample = { surface: 'rest' as const, adapter: 'a', operation: 'a.op', status: 200, durationMs: 1, upstreamStatus: 200, upstreamMs: 1 };
    for (let i = 0; i < 1000; i++) m.request(sample);
    const text = await m.text();
    expect(text).toMatch(/runtime_requests_total\{[^}]*operation="a\.op"[^}]*\} 1000/);
  });
});
