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

  it('records many requests of one label set into one series (its cost is measured in bench/, not here)', async () => {
    const m = new RuntimeMetrics(source, { processMetrics: false });
    const sample = { surface: 'rest' as const, adapter: 'a', operation: 'a.op', status: 200, durationMs: 1, upstreamStatus: 200, upstreamMs: 1 };
    for (let i = 0; i < 10_000; i++) m.request(sample);
    const text = await m.text();
    expect(text).toContain('runtime_requests_total{surface="rest",adapter="a",operation="a.op",status="200"} 10000');
    expect(text.match(/^runtime_requests_total\{/gm)).toHaveLength(1);
  });
});
