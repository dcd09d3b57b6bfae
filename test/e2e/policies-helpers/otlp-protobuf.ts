/**
 * A small decoder of OTLP trace export bodies in protobuf (the OTLP/HTTP
 * default encoding, `application/x-protobuf`), for the test receiver: it
 * reads the protobuf wire format (varints, length-delimited and fixed
 * fields) and keeps only what the tests look at, with the field numbers of
 * opentelemetry-proto's trace.proto, common.proto and resource.proto.
 * Unknown fields are skipped, as a protobuf reader must.
 */

type Field = { no: number; wire: number; varint?: bigint; bytes?: Buffer };

function* fields(buf: Buffer): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[at++];
      if (byte === undefined) throw new Error('truncated protobuf varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const take = (n: number): Buffer => {
    if (at + n > buf.length) throw new Error('truncated protobuf field');
    const out = buf.subarray(at, at + n);
    at += n;
    return out;
  };
  while (at < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, varint: varint() };
    else if (wire === 1) yield { no, wire, bytes: take(8) };
    else if (wire === 2) yield { no, wire, bytes: take(Number(varint())) };
    else if (wire === 5) yield { no, wire, bytes: take(4) };
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

export type DecodedValue = string | number | boolean;

/** One span as the receiver keeps it, from either encoding. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, DecodedValue>;
  status: { code?: number; message?: string };
  resource: Record<string, DecodedValue>;
  scope: string;
}

/** AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 array (values = 1). */
function anyValue(buf: Buffer): DecodedValue {
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) return f.bytes.toString('utf8');
    if (f.no === 2 && f.varint !== undefined) return f.varint !== 0n;
    if (f.no === 3 && f.varint !== undefined) return Number(BigInt.asIntN(64, f.varint));
    if (f.no === 4 && f.bytes) return f.bytes.readDoubleLE(0);
    if (f.no === 5 && f.bytes) return JSON.stringify([...fields(f.bytes)].filter((v) => v.no === 1 && v.bytes).map((v) => anyValue(v.bytes!)));
  }
  return '';
}

/** Repeated KeyValue (key = 1, value = 2) fields numbered `no` of `buf`. */
function keyValues(buf: Buffer, no: number): Record<string, DecodedValue> {
  const out: Record<string, DecodedValue> = {};
  for (const f of fields(buf)) {
    if (f.no !== no || !f.bytes) continue;
    let key = '';
    let value: DecodedValue = '';
    for (const kv of fields(f.bytes)) {
      if (kv.no === 1 && kv.bytes) key = kv.bytes.toString('utf8');
      if (kv.no === 2 && kv.bytes) value = anyValue(kv.bytes);
    }
    out[key] = value;
  }
  return out;
}

/** Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes, 15 status (2 message, 3 code). */
function span(buf: Buffer, resource: Record<string, DecodedValue>, scope: string): ReceivedSpan {
  const out: ReceivedSpan = { traceId: '', spanId: '', name: '', kind: 0, attributes: keyValues(buf, 9), status: {}, resource, scope };
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) out.traceId = f.bytes.toString('hex');
    else if (f.no === 2 && f.bytes) out.spanId = f.bytes.toString('hex');
    else if (f.no === 4 && f.bytes && f.bytes.length > 0) out.parentSpanId = f.bytes.toString('hex');
    else if (f.no === 5 && f.bytes) out.name = f.bytes.toString('utf8');
    else if (f.no === 6 && f.varint !== undefined) out.kind = Number(f.varint);
    else if (f.no === 15 && f.bytes) {
      for (const s of fields(f.bytes)) {
        if (s.no === 2 && s.bytes) out.status.message = s.bytes.toString('utf8');
        if (s.no === 3 && s.varint !== undefined) out.status.code = Number(s.varint);
      }
    }
  }
  return out;
}

/**
 * ExportTraceServiceRequest: 1 resource_spans → (1 resource → 1 attributes; 2 scope_spans →
 * (1 scope → 1 name; 2 spans)).
 */
export function decodeTraceExport(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of fields(body)) {
    if (rs.no !== 1 || !rs.bytes) continue;
    let resource: Record<string, DecodedValue> = {};
    for (const f of fields(rs.bytes)) if (f.no === 1 && f.bytes) resource = keyValues(f.bytes, 1);
    for (const ss of fields(rs.bytes)) {
      if (ss.no !== 2 || !ss.bytes) continue;
      let scope = '';
      for (const f of fields(ss.bytes)) if (f.no === 1 && f.bytes) for (const s of fields(f.bytes)) if (s.no === 1 && s.bytes) scope = s.bytes.toString('utf8');
      for (const f of fields(ss.bytes)) if (f.no === 2 && f.bytes) spans.push(span(f.bytes, resource, scope));
    }
  }
  return spans;
}
