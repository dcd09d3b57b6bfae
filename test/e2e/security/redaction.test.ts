/**
 * Issue 11 items 4, 5 and 8: a hostile upstream echoes the vault key in every
 * encoding the runtime itself produces, in passthrough bodies, relayed JSON
 * errors and unreadable error text cut right at the trimming boundaries. No
 * part of the key may reach a REST caller, an MCP caller or a log line; a Basic
 * credential built from each caller's username must not grow the redactor.
 */
import { resolve } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoUpstream } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { BASIC_PASSWORD, FORMS, LEAK_MARK, VAULT_KEY, startHostileUpstream } from './hostile-upstream.js';

const capability = resolve(import.meta.dirname, 'capability.yaml');
/** A short window around a leak, for a readable failure message. */
const around = (text: string) => text.slice(Math.max(0, text.indexOf(LEAK_MARK) - 20), text.indexOf(LEAK_MARK) + 40);

describe('redaction against a hostile upstream', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  let mcp: Client;
  beforeAll(async () => {
    upstream = await startHostileUpstream();
    rt = await startTestRuntime({
      paths: [capability],
      upstream: { vault: upstream.url, people: upstream.url },
      env: { VAULT_KEY, BASIC_PASSWORD },
    });
    mcp = await connectMcp(rt.mcpUrl);
  });
  afterAll(async () => {
    await mcp?.close();
    await rt?.close();
    await upstream?.close();
  });

  const shapes = ['ok', 'okjson', 'jsonerror', 'cut200', 'cut4096'];
  for (const shape of shapes) {
    for (const form of Object.keys(FORMS)) {
      it(`hides the key echoed as ${shape}/${form} on REST, MCP and in logs`, async () => {
        const mode = `${shape}-${form}`;
        const res = await fetch(`${rt.restUrl}/v1/echo/${mode}`);
        const text = await res.text();
        expect(res.status, text).toBeLessThan(600);
        expect(text.includes(LEAK_MARK), `REST answer leaks: …${around(text)}…`).toBe(false);
        const result = await mcp.callTool({ name: 'echo', arguments: { mode } });
        const mcpText = (result.content as { text: string }[])[0]!.text;
        expect(mcpText.includes(LEAK_MARK), `MCP text leaks: …${around(mcpText)}…`).toBe(false);
        expect(JSON.stringify(result).includes(LEAK_MARK), 'MCP result leaks').toBe(false);
        for (const line of rt.logs) expect(line.includes(LEAK_MARK), `log leaks: …${around(line)}…`).toBe(false);
      });
    }
  }

  it('shows the redaction marker where the key was (the text around it survives)', async () => {
    const res = await fetch(`${rt.restUrl}/v1/echo/ok-form`);
    expect(await res.text()).toBe('the key is [REDACTED].');
    const problem = (await (await fetch(`${rt.restUrl}/v1/echo/cut200-raw`)).json()) as { detail: string };
    expect(problem.detail).toContain('x'.repeat(100));
    expect(problem.detail).toContain('[REDACTED]');
  });

  it('a Basic credential from each caller\'s username grows nothing and never shows the password (item 8)', async () => {
    const call = async (user: string) => {
      const res = await fetch(`${rt.restUrl}/v1/whoami`, { headers: { 'x-user': user } });
      expect(res.status).toBe(200);
      return (await res.json()) as { youSentMe: string };
    };
    await call('warm-up-user');
    const size = rt.runtime.redactor.size;
    for (let i = 0; i < 200; i++) {
      const user = `user-${i}-${'u'.repeat(i % 7)}`;
      const echoed = (await call(user)).youSentMe;
      const credential = Buffer.from(`${user}:${BASIC_PASSWORD}`).toString('base64');
      expect(echoed).not.toBe(`Basic ${credential}`);
      expect(echoed).toContain('[REDACTED]');
      // What survives is the caller's own username, never the password's bytes.
      const left = echoed.slice('Basic '.length).split('[REDACTED]');
      expect(Buffer.from(left.join(''), 'base64').toString('latin1')).not.toContain('BASICpw');
    }
    expect(rt.runtime.redactor.size).toBe(size);
    const viaMcp = await mcp.callTool({ name: 'whoami', arguments: { user: 'mcp-user' } });
    expect(JSON.stringify(viaMcp)).not.toContain(Buffer.from(`mcp-user:${BASIC_PASSWORD}`).toString('base64'));
    for (const line of rt.logs) expect(line).not.toContain(BASIC_PASSWORD);
  });
});
