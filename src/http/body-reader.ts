/**
 * The request body reader shared by the REST and MCP surfaces.
 *
 * Reads a Node request body within a size limit. Event listeners rather than
 * `for await`: the async iterator costs measurably per request on small bodies.
 * Resolves undefined when the body is over the limit (the rest is drained, not
 * buffered), so the caller can answer 413 at once.
 */
import type { IncomingMessage } from 'node:http';

export function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(incoming.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    incoming.resume();
    return Promise.resolve(undefined);
  }
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (!over) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      if (!over) reject(error);
    };
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}
