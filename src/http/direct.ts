/**
 * A listener's direct path: a handler that answers a Node request itself,
 * before any web `Request`/hono `Context` is built for it. It returns false
 * for requests it leaves to the listener's fetch handler (the general path).
 * Measured on this machine: @hono/node-server + a hono app cost ~23 µs per
 * request over a raw handler with the same router — ~12 % of a proxied call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type DirectHandler = (incoming: IncomingMessage, outgoing: ServerResponse) => boolean;
