/**
 * Upstream overrides (`--upstream KEY=URL`): point a consumes namespace, or
 * every call to an origin, somewhere else — a sandbox, a mock, a regional host.
 */
export class UpstreamRoutes {
  private readonly byNamespace = new Map<string, URL>();
  private readonly byOrigin = new Map<string, URL>();
  private readonly memo = new Map<string, string>();

  constructor(entries: Iterable<[string, string]> = []) {
    for (const [key, target] of entries) this.add(key, target);
  }

  /** Parses `KEY=URL` items (repeatable flag or comma-separated env var). */
  static parse(items: readonly string[]): UpstreamRoutes {
    const routes = new UpstreamRoutes();
    for (const item of items.flatMap((i) => i.split(',')).map((i) => i.trim()).filter(Boolean)) {
      // The key may itself be an origin with "://", so split at the "=" before the target URL.
      const eq = item.indexOf('=');
      if (eq <= 0) throw new Error(`--upstream expects KEY=URL, got \`${item}\``);
      routes.add(item.slice(0, eq), item.slice(eq + 1));
    }
    return routes;
  }

  add(key: string, target: string): void {
    this.memo.clear();
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new Error(`--upstream target \`${target}\` is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--upstream target \`${target}\` must be http(s)`);
    if (key.includes('://')) this.byOrigin.set(new URL(key).origin, url);
    else this.byNamespace.set(key, url);
  }

  get size(): number {
    return this.byNamespace.size + this.byOrigin.size;
  }

  /**
   * Rewrites a rendered base URI for a namespace; returns it unchanged when no override applies.
   * Answers are memoised (URL parsing on every upstream call showed in profiles); the memo is
   * bounded because templated base URIs can vary per request.
   */
  rewrite(namespace: string, baseUri: string): string {
    if (this.byNamespace.size === 0 && this.byOrigin.size === 0) return baseUri;
    const key = `${namespace}\n${baseUri}`;
    let rewritten = this.memo.get(key);
    if (rewritten === undefined) {
      if (this.memo.size >= 1024) this.memo.clear();
      rewritten = this.compute(namespace, baseUri);
      this.memo.set(key, rewritten);
    }
    return rewritten;
  }

  private compute(namespace: string, baseUri: string): string {
    const byNs = this.byNamespace.get(namespace);
    if (byNs) return joinBase(byNs, new URL(baseUri).pathname);
    if (this.byOrigin.size === 0) return baseUri;
    const original = new URL(baseUri);
    const byOrigin = this.byOrigin.get(original.origin);
    return byOrigin ? joinBase(byOrigin, original.pathname) : baseUri;
  }

  entries(): { key: string; target: string }[] {
    return [
      ...[...this.byNamespace].map(([key, url]) => ({ key, target: url.href })),
      ...[...this.byOrigin].map(([key, url]) => ({ key, target: url.href })),
    ];
  }
}

/** Target origin + target base path + the original base path (so `/v2` bases survive the override). */
function joinBase(target: URL, originalPath: string): string {
  const base = target.pathname.replace(/\/+$/, '');
  const rest = originalPath === '/' ? '' : originalPath.replace(/\/+$/, '');
  return `${target.origin}${base}${rest}`;
}
