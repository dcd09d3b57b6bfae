/**
 * A real OTLP/HTTP traces receiver for tests: a local HTTP server on an
 * ephemeral port accepting `POST /v1/traces` in both OTLP/HTTP encodings,
 * protobuf (the default) and JSON (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`),
 * decoding every span into a flat record. Tests wait for spans by predicate
 * (no sleeping). Every body is also kept raw, to search for secrets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { startTracing, type TracingHandle } from '../../../src/policies/tracing.js';
import { decodeTraceExport, type ReceivedSpan } from './otlp-protobuf.js';

export type { ReceivedSpan };

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** JSON bodies as received (to search for secrets). */
  bodies: string[];
  /** `application/x-protobuf` bodies as received. */
  protobufBodies: Buffer[];
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } };
type KeyValue = { key: string; value: AnyValue };

function value(v: AnyValue): string | number | boolean {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(value));
  return JSON.stringify(v);
}

function attributes(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

/** OTLP/JSON ids are hex; some encoders send base64: normalise to lower-case hex. */
function hexId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const protobufBodies: Buffer[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      if (String(req.headers['content-type'] ?? '') === 'application/x-protobuf') {
        protobufBodies.push(raw);
        try {
          spans.push(...decodeTraceExport(raw));
        } catch {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        for (const wake of waiters) wake();
        return;
      }
      if (!String(req.headers['content-type'] ?? '').includes('json')) {
        res.writeHead(415).end();
        return;
      }
      const text = raw.toString('utf8');
      bodies.push(text);
      const body = JSON.parse(text) as {
        resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { scope?: { name?: string }; spans?: Record<string, unknown>[] }[] }[];
      };
      for (const rs of body.resourceSpans ?? []) {
        const resource = attributes(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: hexId(s.traceId as string)!,
              spanId: hexId(s.spanId as string)!,
              parentSpanId: hexId(s.parentSpanId as string | undefined),
              name: s.name as string,
              kind: Number(s.kind),
              attributes: attributes(s.attributes as KeyValue[]),
              status: (s.status as ReceivedSpan['status']) ?? {},
              resource,
              scope: ss.scope?.name ?? '',
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    protobufBodies,
    waitFor(predicate, timeoutMs = 15_000) {
      if (predicate(spans)) return Promise.resolve(spans);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Spans not received in time; got: ${spans.map((s) => s.name).join(', ') || 'none'}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(spans)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(spans);
        };
        waiters.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Tracing in this test process against a fresh receiver: sets `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (and `vars`) in process.env, which the SDK reads, and starts it; `stop` shuts the SDK
 * down, removes those variables and closes the receiver. One per test file: the SDK
 * registers itself globally, once per process.
 */
export async function traceToReceiver(vars: Record<string, string> = {}): Promise<{ receiver: OtlpReceiver; tracing: TracingHandle | undefined; stop: () => Promise<void> }> {
  const receiver = await startOtlpReceiver();
  const set = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...vars };
  Object.assign(process.env, set);
  const tracing = await startTracing(process.env);
  return {
    receiver,
    tracing,
    stop: async () => {
      await tracing?.shutdown();
      for (const name of Object.keys(set)) delete process.env[name];
      await receiver.close();
    },
  };
}
