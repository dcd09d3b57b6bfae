/**
 * Token provider metrics (mints, failures, cache hits, seconds to expiry),
 * read from the providers' own counters when scraped: minting stays free of
 * metric bookkeeping and a provider works without a registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClientCredentialsProvider } from './client-credentials.js';

export function registerTokenProviderMetrics(registry: Registry, providers: () => readonly ClientCredentialsProvider[]): void {
  const registers = [registry];
  const counter = (name: string, help: string, read: (p: ClientCredentialsProvider) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        for (const p of providers()) this.labels(p.variable).inc(read(p));
      },
    });
  counter('runtime_token_mints_total', 'Token requests sent to the authorization server, by provider (bind variable).', (p) => p.counters.requests);
  counter('runtime_token_mint_failures_total', 'Token requests that failed (refused, unreachable, unreadable), by provider.', (p) => p.counters.failures);
  counter('runtime_token_cache_hits_total', 'Tokens served from the provider’s cache, by provider.', (p) => p.counters.hits);
  counter('runtime_token_invalidations_total', 'Tokens dropped after an upstream 401, by provider.', (p) => p.counters.invalidations);
  new Gauge({
    name: 'runtime_token_expiry_seconds',
    help: 'Seconds until the soonest cached token of a provider expires (absent when none is cached).',
    labelNames: ['provider'],
    registers,
    collect() {
      this.reset();
      for (const p of providers()) {
        const seconds = p.secondsToExpiry();
        if (seconds !== undefined) this.labels(p.variable).set(seconds);
      }
    },
  });
}
