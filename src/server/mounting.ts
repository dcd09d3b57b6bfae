/**
 * Mounting: which handler each open listener runs. Applying a prepared
 * generation starts the listeners it adds, then swaps every handler in one
 * synchronous step (a request sees the old or the new version, never a mix;
 * requests already running finish on the version they started with), then
 * retires the listeners it no longer has, letting their requests drain.
 */
import type { Logger } from '../http/logger.js';
import type { McpProtocol } from '../exposes/mcp/protocol.js';
import type { McpRegistry } from '../exposes/mcp/registry.js';
import { StartupError } from './generation.js';
import type { ListenerSummary, Prepared } from './handlers.js';
import { HttpListener, type ListenerOptions } from './listener.js';
import type { ListenerKind } from './plan.js';

export interface Mounted {
  key: string;
  kind: ListenerKind;
  listener: HttpListener;
  protocol?: McpProtocol;
  summary: ListenerSummary;
}

export class Mounts {
  private readonly mounted = new Map<string, Mounted>();
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly listenerOptions: ListenerOptions = {},
  ) {}

  get(key: string): Mounted | undefined {
    return this.mounted.get(key);
  }

  all(): Mounted[] {
    return [...this.mounted.values()];
  }

  /** Requests being answered by user (REST and MCP) listeners. */
  get inFlight(): number {
    let n = 0;
    for (const m of this.mounted.values()) if (m.kind !== 'control') n += m.listener.activeRequests;
    return n;
  }

  /**
   * Mounts a prepared generation. `commit` runs inside the synchronous swap (the
   * gateway switches its current generation there). Returns the MCP listeners
   * whose tools changed (stdio and list_changed follow them).
   */
  async apply(prepared: readonly Prepared[], drainMs: number, commit: () => void): Promise<Mounted[]> {
    const wanted = new Set(prepared.map((p) => p.key));
    const removed = [...this.mounted.values()].filter((m) => !wanted.has(m.key));
    const started: Mounted[] = [];
    try {
      for (const p of prepared) {
        if (this.mounted.has(p.key)) continue;
        // A port moving from one kind of listener to another: free it first.
        const clash = removed.find((m) => m.listener.host === p.plan.host && m.listener.port === p.plan.port && p.plan.port !== 0);
        if (clash) {
          this.mounted.delete(clash.key);
          removed.splice(removed.indexOf(clash), 1);
          await clash.listener.close(drainMs);
        }
        const listener = new HttpListener(p.plan.kind, p.plan.host, p.plan.port, p.handler, this.listenerOptions);
        try {
          await listener.listen();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw new StartupError(
            `Cannot listen on ${p.plan.host}:${p.plan.port} (${code === 'EADDRINUSE' ? 'port already in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message})`,
            [],
          );
        }
        started.push({ key: p.key, kind: p.plan.kind, listener, protocol: p.protocol, summary: p.summary });
      }
    } catch (error) {
      await Promise.all(started.map((m) => m.listener.close(0)));
      throw error;
    }

    // ---- the swap: synchronous, so no request sees half of it
    const changedMcp: Mounted[] = [];
    for (const m of started) this.mounted.set(m.key, m);
    for (const p of prepared) {
      const mounted = this.mounted.get(p.key)!;
      if (!started.includes(mounted)) mounted.listener.swap(p.handler);
      if (p.protocol && p.registry) {
        const before = p.protocol.current;
        p.protocol.setRegistry(p.registry);
        if (before !== p.registry && !started.includes(mounted) && !sameTools(before, p.registry)) changedMcp.push(mounted);
      }
      const suffix = p.plan.kind === 'mcp' ? '/mcp' : '';
      mounted.summary = { ...p.summary, url: mounted.listener.url + suffix, port: mounted.listener.port };
    }
    for (const m of removed) this.mounted.delete(m.key);
    commit();
    // ---- end of swap

    for (const m of removed) {
      this.logger.info({ kind: m.kind, url: m.summary.url }, `${m.kind.toUpperCase()} listener ${m.summary.url} no longer has adapters: stopping`);
      const closing = m.listener.close(drainMs).finally(() => this.retiring.delete(closing));
      this.retiring.add(closing);
    }
    return changedMcp;
  }

  /** Closes user listeners first, then control listeners (readiness answers 503 while draining). */
  async close(drainMs: number): Promise<void> {
    const all = [...this.mounted.values()];
    await Promise.all(all.filter((m) => m.kind !== 'control').map((m) => m.listener.close(drainMs)));
    await Promise.all([...this.retiring]);
    await Promise.all(all.filter((m) => m.kind === 'control').map((m) => m.listener.close(Math.min(drainMs, 1000))));
    this.mounted.clear();
  }
}

function sameTools(a: McpRegistry, b: McpRegistry): boolean {
  if (a.tools.length !== b.tools.length || a.resources.length !== b.resources.length || a.prompts.length !== b.prompts.length) return false;
  return a.tools.every((t, i) => JSON.stringify(t.descriptor) === JSON.stringify(b.tools[i]!.descriptor));
}
