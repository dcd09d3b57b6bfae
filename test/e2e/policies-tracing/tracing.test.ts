/**
 * OpenTelemetry traces on the wire, through the real CLI (a child process
 * configured only by OTEL_* variables) and a real OTLP/HTTP receiver: a
 * server span per REST request and per MCP call, client spans for upstream
 * calls and the token mint below them, the caller's traceparent continued,
 * W3C traceparent sent upstream, and no secret (canaries) in any span.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { runCli, type CliProcess } from '../ops-helpers/cli.js';
import { callTool, capabilityYaml, tempDir, type TempDir } from '../ops-helpers/fixtures.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../policies-helpers/otlp-receiver.js';

const CLIENT_SECRET = 'CANARY-client-secret-7f3a';
const ACCESS_TOKEN = 'CANARY-access-token-91c2';
const INBOUND_KEY = 'CANARY-inbound-key-55de';
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('OpenTelemetry tracing', () => {
  let upstream: EchoUpstream;
  let receiver: OtlpReceiver;
  let dir: TempDir;
  let cli: CliProcess;
  let rest: string;
  let mcp: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream((req) => {
      if (req.path === '/oauth2/token') return { body: { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 } };
      if (req.path.includes('fail')) return { status: 503, body: { error: 'down' } };
      return { body: { items: [1] } };
    });
    receiver = await startOtlpReceiver();
    dir = tempDir('policies-trace-');
    const yaml = capabilityYaml({ name: 'traced', secretVar: 'TRACED_TOKEN', restPort: 18080, mcpPort: 18090 }).replace(
      /( {4}description: REST adapter of traced\.\n)/,
      `$1    authentication:\n      type: apikey\n      key: x-api-key\n      placement: header\n      value: "{{GATEWAY_KEY}}"\n`,
    );
    dir.write('traced.yaml', yaml.replace('  keys:\n', '  keys:\n    GATEWAY_KEY: GATEWAY_KEY\n'));
    cli = runCli(
      [
        'serve',
        dir.path,
        '--rest-port', '0',
        '--mcp-port', '0',
        '--upstream', `traced=${upstream.url}`,
        '--upstream', `https://auth.invalid=${upstream.url}`,
        '--token-provider', 'TRACED_TOKEN=client_credentials:https://auth.invalid/oauth2/token?client_id_env=TRACED_CLIENT_ID&client_secret_env=TRACED_CLIENT_SECRET',
        '--log-format', 'json',
      ],
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: 'gateway-under-test',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        TRACED_CLIENT_ID: 'client-1',
        TRACED_CLIENT_SECRET: CLIENT_SECRET,
        GATEWAY_KEY: INBOUND_KEY,
      },
    );
    await cli.waitForLine(/tracing: spans sent to/).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${cli.output()}`);
    });
    const restLine = await cli.waitForLine(/REST listening on/);
    const mcpLine = await cli.waitForLine(/MCP listening on/);
    rest = /http:\/\/[^\s"]+/.exec(restLine)![0].replace(/\/$/, '');
    mcp = /http:\/\/[^\s"]+/.exec(mcpLine)![0];
  }, 90_000); // builds dist/ when stale and starts a child process: slow on a loaded 2-core machine
  afterAll(async () => {
    cli?.kill();
    await cli?.exited;
    await upstream?.close();
    await receiver?.close();
    dir?.cleanup();
  });

  const tree = (spans: ReceivedSpan[], traceId: string) => spans.filter((s) => s.traceId === traceId);

  it('a REST request: server span continuing the caller’s trace, token mint and upstream call below it', async () => {
    const res = await fetch(`${rest}/v1/traced/items?api_key=${INBOUND_KEY}`, {
      headers: { 'x-api-key': INBOUND_KEY, traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    });
    expect(res.status).toBe(200);
    const spans = await receiver.waitFor((all) => tree(all, CALLER_TRACE).length >= 4);
    const mine = tree(spans, CALLER_TRACE);
    const server = mine.find((s) => s.kind === 2)!;
    expect(server.name).toBe('GET /v1/traced/items');
    expect(server.parentSpanId).toBe(CALLER_SPAN);
    expect(server.resource['service.name']).toBe('gateway-under-test');
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/v1/traced/items',
      'url.path': '/v1/traced/items',
      'http.response.status_code': 200,
      'capability.adapter': 'traced-rest',
      'capability.operation': 'traced-rest.get0',
      'runtime.request_id': CALLER_TRACE, // the request id is the caller's trace id
    });
    const mint = mine.find((s) => s.name === 'token mint TRACED_TOKEN')!;
    expect(mint.parentSpanId).toBe(server.spanId);
    const tokenCall = mine.find((s) => s.kind === 3 && s.parentSpanId === mint.spanId)!;
    expect(tokenCall.name).toBe('POST');
    expect(tokenCall.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2\/token$/);
    const apiCall = mine.find((s) => s.kind === 3 && s.parentSpanId === server.spanId)!;
    expect(apiCall.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'server.address': '127.0.0.1' });
    // W3C traceparent upstream names the client span; the request id still travels too
    const sent = upstream.requests.find((r) => r.path === '/traced/items')!;
    expect(sent.headers.traceparent).toBe(`00-${CALLER_TRACE}-${apiCall.spanId}-01`);
    expect(sent.headers['x-request-id']).toBe(CALLER_TRACE);
    const mintSent = upstream.requests.find((r) => r.path === '/oauth2/token')!;
    expect(mintSent.headers.traceparent).toBe(`00-${CALLER_TRACE}-${tokenCall.spanId}-01`);
  });

  it('an MCP tool call: one server span named by method and tool, with the upstream call as its child', async () => {
    const { body } = await callTool(mcp, 'traced-list');
    expect(body.result?.isError).toBe(false);
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'tools/call traced-list'));
    const server = spans.find((s) => s.name === 'tools/call traced-list')!;
    expect(server.kind).toBe(2);
    expect(server.parentSpanId).toBeUndefined();
    expect(server.attributes).toMatchObject({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'traced-list', 'gen_ai.operation.name': 'execute_tool', 'jsonrpc.request.id': '1', 'capability.adapter': 'traced-mcp' });
    const child = await receiver.waitFor((all) => all.some((s) => s.kind === 3 && s.parentSpanId === server.spanId));
    expect(child.find((s) => s.parentSpanId === server.spanId)?.traceId).toBe(server.traceId);
  });

  it('an MCP request continues the trace its params._meta.traceparent names, ahead of the HTTP header', async () => {
    const metaTrace = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const metaSpan = '1122334455667788';
    const res = await fetch(mcp, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'meta', method: 'tools/call', params: { name: 'traced-list', arguments: {}, _meta: { traceparent: `00-${metaTrace}-${metaSpan}-01` } } }),
    });
    expect(res.status).toBe(200);
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'tools/call traced-list' && s.traceId === metaTrace));
    const server = spans.find((s) => s.name === 'tools/call traced-list' && s.traceId === metaTrace)!;
    expect(server.parentSpanId).toBe(metaSpan);
    expect(server.attributes['jsonrpc.request.id']).toBe('meta');
    // the upstream call below it belongs to the same trace
    const child = await receiver.waitFor((all) => all.some((s) => s.kind === 3 && s.parentSpanId === server.spanId));
    expect(child.find((s) => s.parentSpanId === server.spanId)?.traceId).toBe(metaTrace);
  });

  it('an MCP POST refused before any message is read still gets its span, continuing the HTTP header’s trace', async () => {
    const refusedTrace = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
    const res = await fetch(mcp, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', traceparent: `00-${refusedTrace}-${CALLER_SPAN}-01` }, body: '{not json' });
    expect(res.status).toBe(400);
    const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === refusedTrace));
    const server = spans.find((s) => s.traceId === refusedTrace)!;
    expect(server).toMatchObject({ name: 'mcp', kind: 2, parentSpanId: CALLER_SPAN });
    expect(server.attributes['http.response.status_code']).toBe(400);
  });

  it('an MCP list call is a span too; a refused REST call is an error span only when 5xx', async () => {
    await fetch(mcp, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 'x', method: 'tools/list' }) });
    const unauthorized = await fetch(`${rest}/v1/traced/items`, { headers: { 'x-api-key': 'wrong' } });
    expect(unauthorized.status).toBe(401);
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'tools/list') && all.some((s) => s.attributes['http.response.status_code'] === 401));
    expect(spans.find((s) => s.name === 'tools/list')!.attributes['jsonrpc.request.id']).toBe('x');
    const refused = spans.find((s) => s.attributes['http.response.status_code'] === 401)!;
    expect(refused.status.code ?? 0).not.toBe(2);
  });

  it('no secret appears in any exported span', async () => {
    await receiver.waitFor((all) => all.length >= 6);
    const bodies = [...receiver.bodies, ...receiver.protobufBodies.map((b) => b.toString('latin1'))];
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      for (const canary of [CLIENT_SECRET, ACCESS_TOKEN, INBOUND_KEY, 'CANARY']) expect(body).not.toContain(canary);
    }
  });
});
