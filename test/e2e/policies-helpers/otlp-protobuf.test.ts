/** The test receiver's protobuf reader: what it skips and what it refuses (a 400 from the receiver). */
import { expect, it } from 'vitest';
import { decodeTraceExport } from './otlp-protobuf.js';

/** A length-delimited field (wire type 2) numbered `no`. */
const field = (no: number, body: Buffer) => Buffer.concat([Buffer.from([(no << 3) | 2, body.length]), body]);
const text = (no: number, value: string) => field(no, Buffer.from(value, 'utf8'));

it('reads a span and skips fields it does not know', () => {
  const span = Buffer.concat([field(1, Buffer.alloc(16, 0xab)), field(2, Buffer.alloc(8, 0xcd)), text(5, 'GET'), Buffer.from([(6 << 3) | 0, 3]), text(13, 'a link, not read')]);
  const scopeSpans = Buffer.concat([field(1, text(1, 'capability-runtime')), field(2, span)]);
  const body = Buffer.concat([field(1, field(2, scopeSpans)), Buffer.from([(7 << 3) | 5, 1, 2, 3, 4])]); // + an unknown fixed32 field
  expect(decodeTraceExport(body)).toEqual([
    { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'GET', kind: 3, attributes: {}, status: {}, resource: {}, scope: 'capability-runtime' },
  ]);
});

it('refuses a truncated body and an unknown wire type', () => {
  expect(() => decodeTraceExport(Buffer.from([(1 << 3) | 2, 10, 1, 2]))).toThrow(/truncated/);
  expect(() => decodeTraceExport(Buffer.from([(1 << 3) | 0, 0x80]))).toThrow(/truncated/);
  expect(() => decodeTraceExport(Buffer.from([(1 << 3) | 3]))).toThrow(/wire type 3/);
});
