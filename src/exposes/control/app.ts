/**
 * The management plane: liveness, readiness, Prometheus metrics, a status
 * document and (opt-in) reload. Served on the runtime's `--control-port` and
 * on `type: control` adapters — never on a port that serves user routes.
 * Which endpoints exist follows the control adapter's `management` and
 * `observability` settings (health on by default, status off by default,
 * metrics on unless observability or local metrics are disabled).
 */
import { Hono } from 'hono';
import { isObject } from '../../util/is-object.js';
import { checkRequest, type OriginPolicy } from '../pipeline/guard.js';

export interface ControlSource {
  /** Every capability file loaded and every listener up, and not draining. */
  ready(): boolean;
  /** Why the runtime is not ready (for the 503 body). */
  readiness(): { status: 'starting' | 'ready' | 'draining'; listeners: { kind: string; url: string; up: boolean }[] };
  metricsText(): Promise<{ contentType: string; text: string }>;
  status(): unknown;
  reload?(): Promise<unknown>;
}

export interface ControlFeatures {
  health: boolean;
  metrics: boolean;
  status: boolean;
  reload: boolean;
}

export const ALL_CONTROL_FEATURES: ControlFeatures = { health: true, metrics: true, status: true, reload: false };

/** Features of a `type: control` adapter from its settings (reference defaults). */
export function controlFeatures(settings: Record<string, unknown>): ControlFeatures {
  const management = isObject(settings.management) ? settings.management : {};
  const observability = isObject(settings.observability) ? settings.observability : {};
  const metricsSettings = isObject(observability.metrics) ? observability.metrics : {};
  const local = isObject(metricsSettings.local) ? metricsSettings.local : {};
  return {
    health: management.health !== false,
    status: management.info === true,
    metrics: observability.enabled !== false && local.enabled !== false,
    reload: management.reload === true,
  };
}

/** Merges the features of several control adapters sharing one listener. */
export function mergeFeatures(list: readonly ControlFeatures[]): ControlFeatures {
  return {
    health: list.some((f) => f.health),
    metrics: list.some((f) => f.metrics),
    status: list.some((f) => f.status),
    reload: list.some((f) => f.reload),
  };
}

const NO_STORE = { 'cache-control': 'no-store' };

export function buildControlApp(source: ControlSource, features: ControlFeatures, origin?: OriginPolicy): Hono {
  const app = new Hono();
  if (origin) {
    // The same DNS-rebinding / cross-site rules as the REST surface (a browser page must not POST /reload).
    app.use(async (c, next) => {
      const rejected = checkRequest({ get: (name) => c.req.header(name) ?? null }, c.req.method, origin, { unsafeOnly: true });
      if (rejected !== undefined) return c.json({ error: `Forbidden: ${rejected}` }, 403);
      await next();
    });
  }
  if (features.health) {
    app.get('/health/live', (c) => c.json({ status: 'UP' }, 200, NO_STORE));
    app.get('/health/ready', (c) => {
      const readiness = source.readiness();
      const up = source.ready();
      return c.json({ status: up ? 'UP' : 'DOWN', state: readiness.status, listeners: readiness.listeners }, up ? 200 : 503, NO_STORE);
    });
  }
  if (features.metrics) {
    app.get('/metrics', async (c) => {
      const { contentType, text } = await source.metricsText();
      return c.body(text, 200, { 'content-type': contentType, ...NO_STORE });
    });
  }
  if (features.status) {
    app.get('/status', (c) => c.json(source.status() as object, 200, NO_STORE));
  }
  if (features.reload && source.reload) {
    const reload = source.reload.bind(source);
    app.post('/reload', async (c) => {
      const result = await reload();
      const rejected = isObject(result) && result.result === 'rejected';
      return c.json(result as object, rejected ? 422 : 200, NO_STORE);
    });
  }
  app.notFound((c) => c.json({ error: `No control endpoint at ${c.req.method} ${c.req.path}.` }, 404));
  app.onError((error, c) => c.json({ error: error.message }, 500));
  return app;
}
