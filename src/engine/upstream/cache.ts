/**
 * Response cache for safe upstream calls. The key is a SHA-256 over the whole
 * upstream request as sent — method, URL with its query, every header that
 * can change the answer (the credential included: Authorization, API-key
 * headers, cookies) and the body — so an entry can only ever be served to a
 * request carrying the same credential: never across customers. Only the
 * digest is kept, never the credential itself.
 *
 * Entries live behind a small async store interface: in memory here (LRU,
 * bounded by bytes), Redis in a shared deployment.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CacheOptions } from './policies.js';
import type { UpstreamRequest, UpstreamResponse } from './client.js';

export interface CachedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Where cached answers live. Implementations must bound their memory and honour `ttlMs`. */
export interface ResponseCacheStore {
  get(key: string): Promise<CachedResponse | undefined>;
  set(key: string, value: CachedResponse, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Entries and bytes held (for /status and metrics; a remote store may answer undefined). */
  stats(): { entries: number; bytes: number } | undefined;
}

/** Headers that never change the answer: per-hop, per-request or tracing noise. */
const NOT_IN_KEY = new Set(['x-request-id', 'user-agent', 'traceparent', 'tracestate', 'content-length', 'cache-control', 'pragma']);

export function cacheKey(request: UpstreamRequest): string {
  const hash = createHash('sha256');
  hash.update(request.method.toUpperCase()).update('\n').update(request.url.href).update('\n');
  const headers = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => !NOT_IN_KEY.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of headers) hash.update(name).update(':').update(value).update('\n');
  if (request.body !== undefined) hash.update('\n').update(request.body);
  return hash.digest('hex');
}

/** How long the answer may be kept (ms), or 0 when it must not be cached. */
export function freshnessMs(response: UpstreamResponse, options: CacheOptions): number {
  if (response.status !== 200) return 0;
  if (response.headers['set-cookie'] !== undefined) return 0; // a cookie is for one caller
  const vary = headerText(response.headers.vary);
  if (vary && vary.includes('*')) return 0;
  if (!options.honourCacheControl) return options.ttlMs;
  const directives = parseCacheControl(headerText(response.headers['cache-control']));
  if (directives.has('no-store') || directives.has('no-cache')) return 0;
  const maxAge = directives.get('s-maxage') ?? directives.get('max-age');
  if (maxAge !== undefined) {
    const seconds = Number(maxAge);
    return Number.isFinite(seconds) && seconds >= 0 ? Math.floor(seconds * 1000) : 0;
  }
  return options.ttlMs;
}

/** `no-cache` (or `max-age=0`) from a caller: answer from the upstream, then refresh the entry. */
export function callerWantsFresh(cacheControl: string | undefined, pragma?: string): boolean {
  if (pragma?.toLowerCase().includes('no-cache')) return true;
  if (!cacheControl) return false;
  const directives = parseCacheControl(cacheControl);
  return directives.has('no-cache') || directives.has('no-store') || directives.get('max-age') === '0';
}

function parseCacheControl(text: string | undefined): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (!text) return out;
  for (const part of text.split(',')) {
    const [name, value] = part.split('=', 2).map((s) => s.trim());
    if (name) out.set(name.toLowerCase(), value?.replace(/^"|"$/g, ''));
  }
  return out;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Per-entry overhead counted on top of the body (key, headers, bookkeeping). */
const ENTRY_OVERHEAD = 512;

export function entrySize(value: CachedResponse): number {
  let size = value.body.length + ENTRY_OVERHEAD;
  for (const [name, v] of Object.entries(value.headers)) size += name.length + (Array.isArray(v) ? v.join('').length : (v?.length ?? 0));
  return size;
}

/** The in-memory store: LRU by bytes (lru-cache's size accounting), TTL per entry. */
export class MemoryResponseCacheStore implements ResponseCacheStore {
  private readonly lru: LRUCache<string, CachedResponse>;

  constructor(maxBytes: number = 32 * 1024 * 1024) {
    this.lru = new LRUCache<string, CachedResponse>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (value) => entrySize(value),
      ttlAutopurge: false,
    });
  }

  get(key: string): Promise<CachedResponse | undefined> {
    return Promise.resolve(this.lru.get(key));
  }

  set(key: string, value: CachedResponse, ttlMs: number): Promise<void> {
    // An entry larger than the whole cache is simply not kept.
    if (entrySize(value) <= this.lru.maxSize) this.lru.set(key, value, { ttl: Math.max(1, ttlMs) });
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.lru.delete(key);
    return Promise.resolve();
  }

  stats(): { entries: number; bytes: number } {
    return { entries: this.lru.size, bytes: this.lru.calculatedSize };
  }
}
