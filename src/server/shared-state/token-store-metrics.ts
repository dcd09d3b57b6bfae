import { Counter, type Registry } from 'prom-client';

/** `runtime_token_store_total{outcome}` from a store's counts (Redis and IPC stores count alike). */
export function registerTokenStoreMetrics(registry: Registry, counts: Record<string, number>): void {
  new Counter({
    name: 'runtime_token_store_total',
    help: 'Token-provider tokens obtained through the shared token store, by outcome: shared (minted by another process), minted (here, then shared), local (store unusable: minted for this process only).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(counts)) this.inc({ outcome }, count);
    },
  });
}
