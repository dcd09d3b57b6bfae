/** A real MCP SDK client over Streamable HTTP, for black-box tests of the MCP surface. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export async function connectMcp(url: string, protocolVersion?: string): Promise<Client> {
  const client = new Client({ name: 'capability-runtime-tests', version: '1.0.0' }, { capabilities: {} });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  if (protocolVersion) transport.setProtocolVersion(protocolVersion);
  await client.connect(transport);
  return client;
}

/** Sends one raw JSON-RPC message and returns the HTTP response (for wire-level assertions). */
export async function rawMcp(url: string, message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof message === 'string' ? message : JSON.stringify(message),
  });
}
