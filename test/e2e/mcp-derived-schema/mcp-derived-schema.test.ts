/**
 * Regression: a tool with no `with` passes its arguments straight to the call,
 * so a path placeholder the file forgot to declare (`{record_id}`) must still be
 * an argument of the derived input schema — otherwise every call is rejected.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

describe('derived input schema of a tool without `with`', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream((req) => ({ body: { id: req.path.split('/').pop(), view: req.query.get('view') } }));
    rt = await startTestRuntime({ paths: [resolve(import.meta.dirname, 'capability.yaml')], upstream: { records: upstream.url } });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  it('lists the path placeholder as a required argument and the query parameter as optional', async () => {
    const client = await connectMcp(rt.mcpUrl);
    const { tools } = await client.listTools();
    expect(tools[0]!.inputSchema).toMatchObject({ properties: { record_id: { type: 'string' }, view: { type: 'string' } }, required: ['record_id'] });
    const result = await client.callTool({ name: 'get-record', arguments: { record_id: 'r 1', view: 'full' } });
    expect(result.isError).toBe(false);
    expect(upstream.last().url).toBe('/records/r%201?view=full');
    await client.close();
  });
});
