/**
 * Spans leave as OTLP/HTTP protobuf when no protocol is set (the OTLP
 * exporter default). A file of its own: the SDK reads process.env and
 * registers itself globally, once per process.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { traceToReceiver, type OtlpReceiver } from '../../test/e2e/policies-helpers/otlp-receiver.js';
import { endClientSpan, startClientSpan } from '../engine/tracing.js';
import { endServerSpan, startRestSpan } from './spans.js';
import type { TracingHandle } from './tracing.js';

let receiver: OtlpReceiver;
let tracing: TracingHandle | undefined;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ receiver, tracing, stop } = await traceToReceiver({ OTEL_EXPORTER_OTLP_PROTOCOL: '', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: '' }));
});
afterAll(() => stop?.());

it('exports the server span and its client span as protobuf by default', async () => {
  expect(tracing?.plan).toMatchObject({ exporter: 'otlp', protocol: 'http/protobuf', warnings: [] });
  const callerTrace = '0af7651916cd43dd8448eb211c80319c';
  const inbound: Record<string, string> = { traceparent: `00-${callerTrace}-b7ad6b7169203331-01` };
  const server = startRestSpan('GET', '/v1/items/{id}', '/v1/items/7', (n) => inbound[n], { adapter: 'items', operation: 'items.get' });
  const headers: Record<string, string> = {};
  const client = startClientSpan(server?.context, 'GET', new URL('https://api.example/v1/items/7?api_key=CANARY-key'), headers);
  endClientSpan(client, 200);
  endServerSpan(server, { status: 200 });
  await tracing!.flush();
  expect(receiver.bodies).toEqual([]); // nothing went as JSON
  const body = Buffer.concat(receiver.protobufBodies);
  expect(body.includes(Buffer.from(callerTrace, 'hex'))).toBe(true); // ids are bytes in protobuf
  expect(body.includes(Buffer.from(headers.traceparent!.split('-')[2]!, 'hex'))).toBe(true);
  for (const text of ['GET /v1/items/{id}', 'http.route', 'https://api.example/v1/items/7', 'capability-runtime']) expect(body.includes(text), text).toBe(true);
  expect(body.includes('CANARY')).toBe(false);
  // The receiver decodes what the SDK encoded: names, kinds, the parent link, attributes, resource.
  const spans = await receiver.waitFor((all) => all.length >= 2);
  const serverSpan = spans.find((s) => s.kind === 2)!;
  const clientSpan = spans.find((s) => s.kind === 3)!;
  expect(serverSpan).toMatchObject({ name: 'GET /v1/items/{id}', traceId: callerTrace, parentSpanId: 'b7ad6b7169203331', scope: 'capability-runtime' });
  expect(serverSpan.attributes).toMatchObject({ 'http.route': '/v1/items/{id}', 'http.response.status_code': 200, 'capability.adapter': 'items' });
  expect(serverSpan.resource['service.name']).toBe('capability-runtime');
  expect(clientSpan).toMatchObject({ name: 'GET', traceId: callerTrace, parentSpanId: serverSpan.spanId });
  expect(clientSpan.attributes).toMatchObject({ 'url.full': 'https://api.example/v1/items/7', 'server.port': 443 });
});
