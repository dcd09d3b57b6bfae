/**
 * Fault injection (§5.9), programmable per route pattern or globally, from tests:
 *
 *   sandbox.faults.set({ route: '/oauth2/token', kind: 'status', status: 503 }, { times: 2 })
 *   sandbox.faults.set({ route: /\/data\/v2\//, kind: 'latency', ms: 200 })
 *   sandbox.faults.clear()
 */
export type Listener = 'auth' | 'api';

export type FaultAction =
  /** Delay, then answer normally. `maxMs` makes the delay uniform in [ms, maxMs] (seeded). */
  | { kind: 'latency'; ms: number; maxMs?: number }
  /** Accept the request and never answer (until the client gives up or the sandbox closes). */
  | { kind: 'hang' }
  /**
   * Answer with this status. `body`: an object (JSON) or a string (sent as-is); otherwise
   * `template` picks Lean's shape: `lean-envelope` (default on api), `oauth-error` (default
   * on auth), `cloudflare-html`, or `empty`.
   */
  | {
      kind: 'status';
      status: number;
      body?: unknown;
      template?: 'lean-envelope' | 'oauth-error' | 'cloudflare-html' | 'empty';
      headers?: Record<string, string>;
    }
  /** 429. `retryAfter`: seconds or an HTTP-date; `null`/absent → no header (Lean's real refresh 429). */
  | { kind: 'rate-limit'; retryAfter?: number | string | null; body?: 'lean-envelope' | 'empty'; rateLimitHeaders?: boolean }
  /**
   * A broken body: `truncated` (default: JSON cut in half, JSON content type), `invalid`
   * (not JSON, JSON content type), `html-200`, `empty-200`, `wrong-content-type`
   * (real JSON labelled text/plain), `trailing-garbage`.
   */
  | { kind: 'malformed-json'; variant?: 'truncated' | 'invalid' | 'html-200' | 'empty-200' | 'wrong-content-type' | 'trailing-garbage' }
  /** Drop the connection: `before-headers` (default) or `mid-body` (headers + part of the body, then RST). */
  | { kind: 'reset'; when?: 'before-headers' | 'mid-body' }
  /** Cloudflare edge error page (HTML, `cf-ray`), default 502. */
  | { kind: 'html-error'; status?: number }
  /** Send the real response body slowly. */
  | { kind: 'slow-body'; bytesPerSecond: number };

export interface FaultMatch {
  /** Exact path, a glob (`*` = any characters, `{param}` = one segment), or a RegExp. Absent = every route. */
  route?: string | RegExp;
  listener?: Listener | 'any';
  method?: string;
}

export type FaultRule = FaultMatch & FaultAction;

export interface FaultSchedule {
  /** Apply to this many matching requests, then expire. Default: unlimited. */
  times?: number;
  /** Let this many matching requests through first. */
  skip?: number;
  /** Apply to each matching request with this probability (seeded PRNG). */
  probability?: number;
}

export interface FaultInfo {
  id: string;
  rule: FaultRule;
  schedule: FaultSchedule;
  /** Requests the fault was applied to. */
  hits: number;
  /** Matching requests seen (applied or not). */
  seen: number;
}

interface ActiveFault extends FaultInfo {
  test: (path: string) => boolean;
}

function compileRoute(route: string | RegExp | undefined): (path: string) => boolean {
  if (route === undefined) return () => true;
  if (route instanceof RegExp) return (p) => route.test(p);
  if (!route.includes('*') && !route.includes('{')) {
    const exact = route.length > 1 && route.endsWith('/') ? route.slice(0, -1) : route;
    return (p) => p === exact;
  }
  let src = '';
  for (let i = 0; i < route.length; ) {
    const ch = route[i]!;
    if (ch === '*') {
      src += '.*';
      i += 1;
    } else if (ch === '{') {
      const end = route.indexOf('}', i);
      src += '[^/]+';
      i = end === -1 ? route.length : end + 1;
    } else {
      src += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      i += 1;
    }
  }
  const re = new RegExp(`^${src.replace(/\/$/, '')}/?$`);
  return (p) => re.test(p);
}

export class FaultController {
  private rules: ActiveFault[] = [];
  private counter = 0;

  constructor(private readonly rand: () => number) {}

  /** Adds a rule (rules are tried in insertion order; the first that applies wins). Returns its id. */
  set(rule: FaultRule, schedule: FaultSchedule = {}): string {
    const id = `fault-${++this.counter}`;
    this.rules.push({ id, rule, schedule: { ...schedule }, hits: 0, seen: 0, test: compileRoute(rule.route) });
    return id;
  }

  /** Alias of set(). */
  add(rule: FaultRule, schedule?: FaultSchedule): string {
    return this.set(rule, schedule);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultInfo[] {
    return this.rules.map(({ id, rule, schedule, hits, seen }) => ({ id, rule, schedule: { ...schedule }, hits, seen }));
  }

  get size(): number {
    return this.rules.length;
  }

  /** Picks the fault for a request, updating counters and expiring spent rules. */
  pick(listener: Listener, method: string, path: string): { id: string; action: FaultAction } | undefined {
    if (this.rules.length === 0) return undefined;
    for (const r of this.rules) {
      const m = r.rule;
      if (m.listener && m.listener !== 'any' && m.listener !== listener) continue;
      if (m.method && m.method.toUpperCase() !== method) continue;
      if (!r.test(path)) continue;
      r.seen += 1;
      if (r.schedule.skip !== undefined && r.seen <= r.schedule.skip) continue;
      if (r.schedule.probability !== undefined && this.rand() >= r.schedule.probability) continue;
      r.hits += 1;
      if (r.schedule.times !== undefined && r.hits >= r.schedule.times) {
        this.rules = this.rules.filter((x) => x !== r);
      }
      return { id: r.id, action: m };
    }
    return undefined;
  }
}

export function cloudflareHtml(status: number, ray: string): string {
  const titles: Record<number, string> = {
    500: 'Internal server error',
    502: 'Bad gateway',
    503: 'Service unavailable',
    504: 'Gateway time-out',
    520: 'Web server is returning an unknown error',
    521: 'Web server is down',
    522: 'Connection timed out',
    523: 'Origin is unreachable',
    524: 'A timeout occurred',
  };
  const title = titles[status] ?? 'Error';
  return `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<html class="no-js" lang="en-US">
<head>
<title>api.leantech.me | ${status}: ${title}</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details" class="p-0">
    <header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">
      <h1 class="inline-block sm:block sm:mb-2 font-light text-60 lg:text-4xl text-black-dark leading-tight mr-2">
        <span class="inline-block">${title}</span>
        <span class="code-label">Error code ${status}</span>
      </h1>
    </header>
    <div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
      <p class="text-13">
        <span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: <strong class="font-semibold">${ray.split('-')[0]}</strong></span>
      </p>
    </div>
  </div>
</div>
</body>
</html>
`;
}
