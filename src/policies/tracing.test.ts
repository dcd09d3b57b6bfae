/**
 * Tracing setup against a real OTLP/HTTP receiver, in this test process (the
 * SDK reads process.env, and registers itself globally: this file runs in a
 * process of its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { traceToReceiver, type OtlpReceiver } from '../../test/e2e/policies-helpers/otlp-receiver.js';
import { endClientSpan, inSpan, startClientSpan } from '../engine/tracing.js';
import type { Exchange } from '../exposes/pipeline/exchange.js';
import { endServerSpan, startRestSpan, tracingActive } from './spans.js';
import { mcpTracingStage } from './stages.js';
import { startTracing, tracingPlan, type TracingHandle } from './tracing.js';

describe('tracingPlan (off unless OTEL_* asks)', () => {
  it('is off without configuration, with OTEL_SDK_DISABLED or exporter none', () => {
    expect(tracingPlan({})).toBeUndefined();
    expect(tracingPlan({ OTEL_SERVICE_NAME: 'x' })).toBeUndefined();
    expect(tracingPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });
  it('is on with an endpoint or an explicit exporter', () => {
    expect(tracingPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toEqual({ exporter: 'otlp', protocol: 'http/protobuf', destination: 'http://c:4318/v1/traces', warnings: [] });
    expect(tracingPlan({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' })?.destination).toBe('http://c:4318/custom');
    expect(tracingPlan({ OTEL_TRACES_EXPORTER: 'otlp' })?.destination).toBe('http://localhost:4318/v1/traces');
    expect(tracingPlan({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({ exporter: 'console', destination: 'stdout' });
    expect(tracingPlan({ OTEL_TRACES_EXPORTER: 'otlp,zipkin', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })?.warnings).toEqual([
      'OTEL_TRACES_EXPORTER zipkin is not supported (otlp and console are)',
      'OTEL_EXPORTER_OTLP_PROTOCOL grpc is not supported: spans are sent as OTLP/HTTP protobuf',
    ]);
  });
  it('sends protobuf (the OTLP default) unless the protocol says http/json (the traces variable first)', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(tracingPlan(endpoint)).toMatchObject({ protocol: 'http/protobuf', warnings: [] });
    expect(tracingPlan({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({ protocol: 'http/json', warnings: [] });
    expect(tracingPlan({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })?.protocol).toBe('http/protobuf');
    expect(tracingPlan({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ protocol: 'http/protobuf', warnings: [expect.stringContaining('grpc is not supported')] });
    expect(tracingPlan({ OTEL_TRACES_EXPORTER: 'console', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' })?.protocol).toBeUndefined();
  });
});

describe('startTracing with a real OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver;
  let tracing: TracingHandle | undefined;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    expect(await startTracing({})).toBeUndefined();
    expect(tracingActive()).toBe(false);
    ({ receiver, tracing, stop } = await traceToReceiver({ OTEL_SERVICE_NAME: 'policies-test', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }));
  });
  afterAll(() => stop?.());

  it('exports a server span continuing the caller’s trace, with client and mint spans as children', async () => {
    expect(tracingActive()).toBe(true);
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    const inbound: Record<string, string> = { traceparent: `00-${callerTrace}-${callerSpan}-01`, authorization: 'Bearer CANARY-inbound' };
    const server = startRestSpan('GET', '/v1/items/{id}', '/v1/items/7', (n) => inbound[n], { adapter: 'items', operation: 'items.get', clientAddress: '127.0.0.1' });
    expect(server?.traceId).toBe(callerTrace);
    const sentHeaders: Record<string, string> = {};
    await inSpan(server?.context, 'token mint LEAN_TOKEN', { 'token.provider': 'LEAN_TOKEN' }, async (mintContext) => {
      const mint = startClientSpan(mintContext, 'POST', new URL('https://auth.example/oauth2/token?client_secret=CANARY-query'), {});
      endClientSpan(mint, 200);
    });
    const span = startClientSpan(server?.context, 'GET', new URL('https://api.example:8443/v1/items/7?api_key=CANARY-key'), sentHeaders);
    endClientSpan(span, 503);
    endServerSpan(server, { status: 200 });
    await tracing!.flush();
    const spans = await receiver.waitFor((s) => s.length >= 4);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    const root = byName['GET /v1/items/{id}']!;
    expect(root).toMatchObject({ kind: 2, traceId: callerTrace, parentSpanId: callerSpan, scope: 'capability-runtime' });
    expect(root.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/v1/items/{id}', 'url.path': '/v1/items/7', 'http.response.status_code': 200, 'capability.adapter': 'items', 'client.address': '127.0.0.1' });
    expect(root.resource['service.name']).toBe('policies-test');
    const mint = byName['token mint LEAN_TOKEN']!;
    expect(mint).toMatchObject({ kind: 1, parentSpanId: root.spanId, traceId: callerTrace });
    const post = byName.POST!;
    expect(post).toMatchObject({ kind: 3, parentSpanId: mint.spanId });
    expect(post.attributes['url.full']).toBe('https://auth.example/oauth2/token');
    const get = byName.GET!;
    expect(get).toMatchObject({ kind: 3, parentSpanId: root.spanId });
    expect(get.attributes).toMatchObject({ 'server.address': 'api.example', 'server.port': 8443, 'http.response.status_code': 503, 'error.type': '503' });
    expect(get.status.code).toBe(2);
    // W3C traceparent sent upstream names the client span
    expect(sentHeaders.traceparent).toBe(`00-${callerTrace}-${get.spanId}-01`);
    for (const body of receiver.bodies) expect(body).not.toContain('CANARY');
  });

  it('makes no client span outside a request (no parent)', () => {
    const headers: Record<string, string> = {};
    expect(startClientSpan(undefined, 'GET', new URL('http://x.example/'), headers)).toBeUndefined();
    expect(headers).toEqual({});
  });

  it('an unsampled caller trace still sends its trace id upstream, with flag 00', () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const inbound: Record<string, string> = { traceparent: `00-${callerTrace}-00f067aa0ba902b7-00` };
    const server = startRestSpan('POST', '/v1/oauth2/token', '/v1/oauth2/token', (n) => inbound[n], { adapter: 'a', operation: 'a.token' });
    expect(server?.span.isRecording()).toBe(false);
    const headers: Record<string, string> = {};
    const span = startClientSpan(server?.context, 'POST', new URL('http://x.example/token'), headers);
    expect(headers.traceparent).toMatch(new RegExp(`^00-${callerTrace}-[0-9a-f]{16}-00$`));
    endClientSpan(span, 200);
    endServerSpan(server, { status: 200 });
  });

  // Children of an unsampled span skip the SDK (src/engine/tracing.ts childSpan): what they must still do is propagate.
  it('an unsampled request exports no span, and its mint and upstream calls propagate the trace with fresh span ids', async () => {
    const callerTrace = '5bf92f3577b34da6a3ce929d0e0e4737';
    const callerSpan = '10f067aa0ba902b8';
    const inbound: Record<string, string> = { traceparent: `00-${callerTrace}-${callerSpan}-00`, tracestate: 'vendor=opaque', baggage: 'tenant=t1' };
    const server = startRestSpan('POST', '/v1/oauth2/token', '/v1/oauth2/token', (n) => inbound[n], { adapter: 'a', operation: 'a.token' });
    expect(server?.span.isRecording()).toBe(false);
    const sent: Record<string, string>[] = [];
    await inSpan(server?.context, 'token mint T', { 'token.provider': 'T' }, async (mintContext) => {
      const headers: Record<string, string> = {};
      endClientSpan(startClientSpan(mintContext, 'POST', new URL('http://auth.example/token'), headers), 200);
      sent.push(headers);
    });
    const headers: Record<string, string> = {};
    const span = startClientSpan(server?.context, 'GET', new URL('http://x.example/items'), headers, { 'http.request.resend_count': 1 });
    expect(span?.isRecording()).toBe(false);
    endClientSpan(span, 200);
    endServerSpan(server, { status: 200 });
    sent.push(headers);
    const ids = sent.map((h) => {
      const parsed = new RegExp(`^00-${callerTrace}-([0-9a-f]{16})-00$`).exec(h.traceparent ?? '');
      expect(parsed, h.traceparent).not.toBeNull();
      expect(h.tracestate).toBe('vendor=opaque');
      expect(h.baggage).toBe('tenant=t1');
      return parsed![1]!;
    });
    expect(new Set([...ids, callerSpan, '0000000000000000']).size).toBe(ids.length + 2);
    await tracing!.flush();
    expect(receiver.spans.filter((s) => s.traceId === callerTrace)).toEqual([]);
  });

  // Regression (issue 14, bench row): an AsyncLocalStorage context manager made every promise of the
  // process pay a hook on Node 20, sampled or not. Spans are parented explicitly; none may be registered.
  it('an MCP request whose handler fails ends its span as an error and passes the failure on', async () => {
    const failure = new TypeError('handler failed');
    const exchange = {
      surface: 'mcp',
      started: performance.now(),
      requestId: 'req-failing',
      incoming: { socket: { remoteAddress: '127.0.0.1' } },
      get: () => null,
    } as unknown as Exchange;
    const handler = mcpTracingStage(() => Promise.reject(failure));
    await expect(handler(exchange)).rejects.toBe(failure);
    await tracing!.flush();
    const spans = await receiver.waitFor((all) => all.some((s) => s.attributes['runtime.request_id'] === 'req-failing'));
    const span = spans.find((s) => s.attributes['runtime.request_id'] === 'req-failing')!;
    expect(span).toMatchObject({ name: 'mcp', kind: 2, status: { code: 2, message: 'TypeError' } });
    expect(span.attributes['error.type']).toBe('TypeError');
  });

  it('registers no async context manager (parents travel explicitly)', () => {
    const server = startRestSpan('GET', '/x', '/x', () => undefined, { adapter: 'a', operation: 'a.x' });
    expect(context.with(server!.context, () => context.active())).toBe(ROOT_CONTEXT);
    expect(context.with(server!.context, () => trace.getActiveSpan())).toBeUndefined();
    endServerSpan(server, { status: 200 });
  });
});
