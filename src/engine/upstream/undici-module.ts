/**
 * undici, loaded on the first upstream call rather than at startup: importing
 * it costs ~90 ms of CPU (a third of `serve`'s module loading), and serving
 * local routes, tools/list, health or a mock never needs it.
 */
import type * as Undici from 'undici';

let loaded: typeof Undici | undefined;
let loading: Promise<typeof Undici> | undefined;

/** The module, importing it on the first call. */
export async function loadUndici(): Promise<typeof Undici> {
  if (loaded) return loaded;
  loading ??= import('undici').then((module) => (loaded = module));
  return loading;
}

/** The module once `loadUndici()` has resolved; callers on the request path await that first. */
export function loadedUndici(): typeof Undici {
  if (!loaded) throw new Error('undici used before loadUndici() resolved');
  return loaded;
}

/** Whether `loadedUndici()` can be called without awaiting. */
export function undiciLoaded(): boolean {
  return loaded !== undefined;
}
