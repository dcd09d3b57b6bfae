/**
 * A hostile upstream for the security tests: it echoes back the credential it
 * was sent, in every encoding the runtime could itself produce, in success
 * bodies, JSON error bodies and plain-text error bodies (with padding that puts
 * the secret right at a trimming boundary). Every request is recorded.
 */
import { startEchoUpstream, type EchoUpstream, type RecordedRequest, type Reply } from '../../helpers/echo-upstream.js';

export const VAULT_KEY = `CANARYzq"7\\ p+w!(d)~'&<x> ü`;
export const BASIC_PASSWORD = 'BASICpw-9f8e7d6c5b';
/** Every form of VAULT_KEY starts with this: finding it anywhere means (a part of) the key leaked. */
export const LEAK_MARK = 'CANARYzq';

const jsonEscape = (text: string) => JSON.stringify(text).slice(1, -1);

/** The forms of a secret an upstream can echo, by name. */
export const FORMS: Record<string, (secret: string) => string> = {
  raw: (s) => s,
  uri: (s) => encodeURIComponent(s),
  form: (s) => new URLSearchParams({ k: s }).toString().slice(2),
  'template-form': (s) => encodeURIComponent(s).replace(/%20/g, '+'),
  json: (s) => jsonEscape(s),
  'json-twice': (s) => jsonEscape(jsonEscape(s)),
  xml: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'),
};

function reply(req: RecordedRequest): Reply {
  const key = req.query.get('api_key') ?? '';
  if (req.path.startsWith('/api/echo/')) {
    // `/api/echo/<shape>-<form>`: shape says where the secret goes, form how it is encoded.
    const mode = decodeURIComponent(req.path.slice('/api/echo/'.length));
    const dash = mode.indexOf('-');
    const shape = mode.slice(0, dash);
    const form = FORMS[mode.slice(dash + 1)]?.(key) ?? key;
    switch (shape) {
      case 'ok': // a passthrough text body
        return { headers: { 'content-type': 'text/plain' }, body: `the key is ${form}.` };
      case 'okjson': // a passthrough JSON body (the form inside a JSON string)
        return { headers: { 'content-type': 'application/json' }, body: `{"key":"${form.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"}` };
      case 'jsonerror': // a JSON error, relayed as it came
        return { status: 500, headers: { 'content-type': 'application/json' }, body: `{"error":"${form.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"}` };
      case 'cut200': // unreadable error text: the secret straddles the problem's 200-character excerpt
        return { status: 500, headers: { 'content-type': 'text/plain' }, body: `${'x'.repeat(190)}${form}` };
      case 'cut4096': // long error text: the secret straddles MCP's 4096-character error text
        return { status: 500, headers: { 'content-type': 'application/json' }, body: `{"e":"${'x'.repeat(4060)}${form.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"}` };
      default:
        return { status: 404, body: { error: 'unknown mode' } };
    }
  }
  if (req.path === '/whoami') return { body: { youSentMe: req.headers.authorization } };
  // Items: echo the whole request back, as a careless or hostile API would.
  return { body: { item: { path: req.path }, request: { url: req.url, headers: req.headers, body: req.body.toString('utf8') } } };
}

export function startHostileUpstream(): Promise<EchoUpstream> {
  return startEchoUpstream(reply);
}
