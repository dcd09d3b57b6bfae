// The benchmark scenarios. Each has the runtime target and the references it
// is compared with: "direct" (the bench upstream hit without a gateway, the
// ceiling of the rig) and "nginx" (a plain keep-alive reverse proxy on the
// same core as the runtime: the physical limit of a proxy hop).
import { MCP_PEER_TOOL } from './peers.mjs';
import { MCP_HEADERS, TOOLS_LIST_BODY } from './runtime.mjs';

export const TOKEN_FORM = 'grant_type=client_credentials&client_id=bench-client&client_secret=bench-secret&scope=api';
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
const TOKEN_ARGS = { grant_type: 'client_credentials', client_id: 'x', client_secret: 'y', scope: 'api' };
export const MCP_CALL_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'lean-generate-access-token', arguments: { body: { grant_type: 'client_credentials', client_id: 'x', client_secret: 'y', scope: 'api' } } },
});
export const ITEMS_PATH = '/items/42?limit=50';

export const SCENARIO_IDS = ['rest-token', 'rest-items-mapped', 'rest-items-raw', 'mcp-call', 'mcp-call-peer', 'mcp-list'];
/** Scenarios repeated on the "all policies" runtimes (tracing off, 10 % and 100 % sampled). */
export const POLICY_SCENARIO_IDS = ['rest-token', 'mcp-call'];
/** The origin bench/config/runtime.all-policies.yaml allows: REST rows of that runtime send it so CORS does its work. */
export const CORS_ORIGIN = 'http://bench.example';

const json = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * main: runtime serving the seed + bench/capabilities/items.yaml.
 * tools: runtime serving the 51-tool set. upstream/nginx: base URLs (nginx may be null).
 */
export function buildScenarios({ main, tools, upstreamUrl, nginxUrl, fastifyUrl, mcpPeerUrl, toolsSource }) {
  const refs = {
    token: {
      what: 'upstream POST /oauth2/token (form)',
      direct: { id: 'token-direct', url: `${upstreamUrl}/oauth2/token`, method: 'POST', headers: FORM_HEADERS, body: TOKEN_FORM },
      nginx: nginxUrl && { id: 'token-nginx', url: `${nginxUrl}/v1/oauth2/token`, method: 'POST', headers: FORM_HEADERS, body: TOKEN_FORM },
      fastify: fastifyUrl && { id: 'token-fastify', url: `${fastifyUrl}/v1/oauth2/token`, method: 'POST', headers: FORM_HEADERS, body: TOKEN_FORM },
      check: (r) => r.status === 200 && json(r.body)?.access_token,
    },
    items: {
      what: `upstream GET ${ITEMS_PATH} (20 KB JSON)`,
      direct: { id: 'items-direct', url: `${upstreamUrl}${ITEMS_PATH}`, method: 'GET' },
      nginx: nginxUrl && { id: 'items-nginx', url: `${nginxUrl}/v1${ITEMS_PATH}`, method: 'GET' },
      fastify: fastifyUrl && { id: 'items-fastify', url: `${fastifyUrl}/v1${ITEMS_PATH}`, method: 'GET' },
      check: (r) => r.status === 200 && json(r.body)?.data?.items?.length > 0,
    },
    toolsList: {
      what: 'upstream POST /blob/tools-list: the same bytes as the runtime tools/list answer',
      direct: { id: 'tools-list-direct', url: `${upstreamUrl}/blob/tools-list`, method: 'POST', headers: MCP_HEADERS, body: TOOLS_LIST_BODY },
      nginx: nginxUrl && { id: 'tools-list-nginx', url: `${nginxUrl}/blob/tools-list`, method: 'POST', headers: MCP_HEADERS, body: TOOLS_LIST_BODY },
      check: (r) => r.status === 200 && json(r.body)?.result?.tools?.length > 0,
    },
  };
  return [
    {
      id: 'rest-token',
      title: '(a) REST POST /v1/oauth2/token, form body forwarded form-encoded (seed)',
      instance: 'main',
      target: { id: 'rest-token', url: `${main.restUrl}/v1/oauth2/token`, method: 'POST', headers: FORM_HEADERS, body: TOKEN_FORM },
      check: (r) => r.status === 200 && json(r.body)?.access_token,
      ref: refs.token,
    },
    {
      id: 'rest-items-mapped',
      title: `(b) REST GET /v1${ITEMS_PATH}: path+query params, 20 KB answer shaped by JSONPath output mappings`,
      instance: 'main',
      target: { id: 'rest-items-mapped', url: `${main.restUrl}/v1${ITEMS_PATH}`, method: 'GET' },
      check: (r) => {
        const j = json(r.body);
        return r.status === 200 && j?.id === '42' && Array.isArray(j?.items) && j.items.length > 0 && j.items[0].price !== undefined && !r.body.includes('description');
      },
      ref: refs.items,
    },
    {
      id: 'rest-items-raw',
      title: `(b') REST GET /v1/items-raw/42?limit=50: the same call, answer passed through unmapped`,
      instance: 'main',
      target: { id: 'rest-items-raw', url: `${main.restUrl}/v1/items-raw/42?limit=50`, method: 'GET' },
      check: (r) => r.status === 200 && json(r.body)?.data?.items?.length > 0,
      ref: refs.items,
    },
    {
      id: 'mcp-call',
      title: '(c) MCP tools/call lean-generate-access-token (stateless, JSON response)',
      instance: 'main',
      target: { id: 'mcp-call', url: `${main.mcpUrl}/mcp`, method: 'POST', headers: MCP_HEADERS, body: MCP_CALL_BODY },
      check: (r) => {
        const j = json(r.body);
        return r.status === 200 && j?.result && !j.result.isError && r.body.includes('access_token');
      },
      ref: refs.token,
    },
    {
      id: 'mcp-call-peer',
      title: "(c'') MCP tools/call of the token operation through bench/lib/mcp-loader.mjs: the runtime stateless vs @ivotoby/openapi-mcp-server (session per connection, result on the SSE stream)",
      instance: 'main',
      target: {
        id: 'mcp-call-peer',
        url: `${main.mcpUrl}/mcp`,
        method: 'POST',
        headers: MCP_HEADERS,
        body: MCP_CALL_BODY,
        mcp: { mode: 'stateless', tool: 'lean-generate-access-token', arguments: { body: TOKEN_ARGS }, expect: 'access_token' },
      },
      check: (r) => r.ok,
      ref: {
        what: '@ivotoby/openapi-mcp-server tools/call generate-access-token (bench/openapi/token.yaml)',
        mcpPeer: mcpPeerUrl && { id: 'mcp-call-openapi-mcp-server', url: `${mcpPeerUrl}/mcp`, method: 'POST', mcp: { mode: 'session', tool: MCP_PEER_TOOL, arguments: TOKEN_ARGS, expect: 'access_token' } },
        check: (r) => r.ok,
      },
    },
    {
      id: 'mcp-list',
      title: `(d) MCP tools/list, first page (50 of 51 tools + nextCursor; ${toolsSource})`,
      instance: 'tools',
      target: { id: 'mcp-list', url: `${tools.mcpUrl}/mcp`, method: 'POST', headers: MCP_HEADERS, body: TOOLS_LIST_BODY },
      check: (r) => r.status === 200 && json(r.body)?.result?.tools?.length > 0,
      /** Walks the pages: the server must list 51 tools in all. */
      deepCheck: async (request) => {
        let cursor;
        let count = 0;
        let pages = 0;
        do {
          const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', ...(cursor ? { params: { cursor } } : {}) });
          const r = json((await request(`${tools.mcpUrl}/mcp`, { method: 'POST', headers: MCP_HEADERS, body })).body);
          count += r?.result?.tools?.length ?? 0;
          cursor = r?.result?.nextCursor;
          pages++;
        } while (cursor && pages < 10);
        if (count !== 51) throw new Error(`mcp-list: the server lists ${count} tools, expected 51`);
        return { tools: count, pages };
      },
      ref: refs.toolsList,
    },
  ];
}

/**
 * The same scenario on another runtime instance (`instance`: policies,
 * policiesSampled or policiesTraced; `tracing` says how it traces, for the
 * title), measured against the plain row `base.id` (ratio printed) and the same
 * references (measured once per run). REST targets send the allowed Origin so
 * CORS adds its fields; the check also wants them, and the rate limit's
 * RateLimit-* fields.
 */
export function policyVariant(base, { instance, runtime, label, tracing }) {
  const rest = base.id.startsWith('rest-');
  const origin = /^http:\/\/[^/]+/;
  const url = base.target.url.replace(origin, rest ? runtime.restUrl : runtime.mcpUrl);
  const headers = rest ? { ...base.target.headers, origin: CORS_ORIGIN } : base.target.headers;
  const id = `${base.id} (${label})`;
  return {
    ...base,
    id,
    baseId: base.id,
    title: `${base.id} on the runtime with ${label}: bench/config/runtime.all-policies.yaml, ${tracing}`,
    instance,
    target: { ...base.target, id: id.replace(/[^a-z0-9-]+/gi, '-'), url, headers },
    check: (r) => base.check(r) && (!rest || (r.headers['access-control-allow-origin'] === CORS_ORIGIN && r.headers['ratelimit-limit'] !== undefined)),
    deepCheck: undefined,
  };
}
