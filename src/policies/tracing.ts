/**
 * OpenTelemetry tracing setup (issue 14 item 6), configured only by the
 * standard `OTEL_*` environment variables and OFF unless they ask for it:
 *
 * - on when `OTEL_TRACES_EXPORTER` names `otlp` or `console`, or when an OTLP
 *   endpoint is set (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 *   `OTEL_EXPORTER_OTLP_ENDPOINT`) and `OTEL_TRACES_EXPORTER` does not say `none`;
 * - always off with `OTEL_SDK_DISABLED=true`.
 *
 * Export is OTLP/HTTP, batched, with protobuf bodies (`@opentelemetry/exporter-trace-otlp-proto`),
 * the encoding the OTLP exporter specification makes the default, unless
 * `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL=http/json` asks for JSON
 * (`@opentelemetry/exporter-trace-otlp-http`). Protobuf also costs about a third
 * of JSON's CPU per span and less than half its bytes (the SDK's own serializers);
 * `grpc` is not supported and falls back to protobuf over HTTP with a warning;
 * endpoint, headers, timeout, compression, batch sizes, sampler
 * (`OTEL_TRACES_SAMPLER`, default parent-based always-on), span limits,
 * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` are read by the SDK itself.
 *
 * The SDK packages are imported only when tracing is on, so a runtime
 * without `OTEL_*` loads none of them; the code that makes spans uses
 * `@opentelemetry/api` and checks `tracingActive()` first (src/policies/spans.ts).
 */
import { useUnsampledChildIds } from '../engine/tracing.js';
import { RUNTIME_VERSION } from '../version.js';
import { markTracingActive } from './spans.js';

export interface TracingPlan {
  exporter: 'otlp' | 'console';
  /** OTLP body encoding (otlp only). */
  protocol?: 'http/json' | 'http/protobuf';
  /** Where spans go (for the startup log line): the OTLP traces URL, or `stdout`. */
  destination: string;
  /** Settings we read but do not support, said once at startup. */
  warnings: string[];
}

export interface TracingHandle {
  plan: TracingPlan;
  /** Exports what is buffered (tests, and before exit). */
  flush(): Promise<void>;
  /** Flushes and stops; spans made afterwards are dropped. */
  shutdown(): Promise<void>;
}

/** Whether the environment asks for tracing, and how; undefined = off. */
export function tracingPlan(env: Record<string, string | undefined>): TracingPlan | undefined {
  if (/^true$/i.test(env.OTEL_SDK_DISABLED?.trim() ?? '')) return undefined;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.includes('none')) return undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const warnings: string[] = [];
  const unknown = exporters.filter((e) => e !== 'otlp' && e !== 'console');
  if (unknown.length > 0) warnings.push(`OTEL_TRACES_EXPORTER ${unknown.join(', ')} is not supported (otlp and console are)`);
  let exporter: TracingPlan['exporter'] | undefined;
  if (exporters.includes('otlp')) exporter = 'otlp';
  else if (exporters.includes('console')) exporter = 'console';
  else if (endpoint) exporter = 'otlp';
  if (!exporter) return undefined;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (exporter === 'otlp' && protocol && protocol !== 'http/json' && protocol !== 'http/protobuf') warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL ${protocol} is not supported: spans are sent as OTLP/HTTP protobuf`);
  const destination =
    exporter === 'console'
      ? 'stdout'
      : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || `${(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || 'http://localhost:4318').replace(/\/+$/, '')}/v1/traces`;
  if (exporter === 'console') return { exporter, destination, warnings };
  return { exporter, protocol: protocol === 'http/json' ? 'http/json' : 'http/protobuf', destination, warnings };
}

/**
 * Starts tracing when the environment asks for it (see above): registers a
 * global tracer provider and the W3C trace-context propagator, but no
 * context manager: spans are parented explicitly (src/policies/spans.ts), and
 * Node 20's AsyncLocalStorage would tax every promise. Returns undefined (and loads nothing)
 * when tracing is off. The SDK reads its settings from `process.env`.
 */
export async function startTracing(env: Record<string, string | undefined> = process.env): Promise<TracingHandle | undefined> {
  const plan = tracingPlan(env);
  if (!plan) return undefined;
  // The OTLP exporter of the chosen encoding only (none for the console).
  const otlpExporter = plan.exporter === 'console' ? undefined : plan.protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto');
  const [{ NodeTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, RandomIdGenerator }, otlp, { resourceFromAttributes, detectResources, envDetector }, { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION }] =
    await Promise.all([import('@opentelemetry/sdk-trace-node'), otlpExporter, import('@opentelemetry/resources'), import('@opentelemetry/semantic-conventions')]);
  // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (envDetector) win over our defaults.
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'capability-runtime', [ATTR_SERVICE_VERSION]: RUNTIME_VERSION }).merge(detectResources({ detectors: [envDetector] }));
  const exporter = otlp ? new otlp.OTLPTraceExporter() : new ConsoleSpanExporter();
  // The SDK's own id generator (its default), shared with the children of unsampled spans, which skip the SDK.
  const idGenerator = new RandomIdGenerator();
  const provider = new NodeTracerProvider({ resource, idGenerator, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register({ contextManager: null });
  useUnsampledChildIds(idGenerator);
  markTracingActive(true);
  return {
    plan,
    flush: () => provider.forceFlush(),
    async shutdown() {
      markTracingActive(false);
      useUnsampledChildIds(undefined);
      await provider.shutdown();
    },
  };
}
