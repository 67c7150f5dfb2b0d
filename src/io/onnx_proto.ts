/**
 * Just enough of the protobuf wire format and the ONNX schema (onnx.proto, IR version 8) to
 * write a model: each message is a list of fields encoded in field-number order.
 */

/** One protobuf field value: a varint, a 32-bit float, bytes/string, or a nested message. */
type FieldValue =
  | { varint: number | bigint }
  | { float: number }
  | { bytes: Uint8Array }
  | { string: string }
  | { message: Uint8Array };

const enc = new TextEncoder();

function varint(out: number[], value: number | bigint): void {
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/** Encodes `[fieldNumber, value]` pairs as a protobuf message. */
function message(fields: [number, FieldValue | undefined][]): Uint8Array {
  const head: number[] = [];
  const parts: Uint8Array[] = [];
  const flush = () => {
    if (head.length) {
      parts.push(Uint8Array.from(head));
      head.length = 0;
    }
  };
  for (const [field, value] of fields) {
    if (value === undefined) continue;
    if ('varint' in value) {
      varint(head, field << 3);
      varint(head, value.varint);
      continue;
    }
    if ('float' in value) {
      varint(head, (field << 3) | 5);
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, value.float, true);
      head.push(...b);
      continue;
    }
    const bytes = 'bytes' in value ? value.bytes : 'string' in value ? enc.encode(value.string) : value.message;
    varint(head, (field << 3) | 2);
    varint(head, bytes.byteLength);
    flush();
    parts.push(bytes);
  }
  flush();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const str = (s: string | undefined): FieldValue | undefined => (s === undefined ? undefined : { string: s });
const msg = (m: Uint8Array): FieldValue => ({ message: m });

/** ONNX TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1,
  ONNX_INT64 = 7;

/** A node attribute: a float, an int, a string, or a list of ints / floats / strings. */
export type OnnxAttribute =
  | number
  | string
  | { int: number }
  | { ints: number[] }
  | { floats: number[] }
  | { strings: string[] };

/** An initializer (a constant): float32 values or int64 values, with a shape. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  float32?: Float32Array;
  int64?: number[];
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, OnnxAttribute>;
}

/** A graph input or output: element type and shape, `null` dims become a named dynamic dim. */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: (number | string)[];
}

export function encodeTensor(t: OnnxTensor): Uint8Array {
  const raw = t.float32
    ? new Uint8Array(t.float32.buffer, t.float32.byteOffset, t.float32.byteLength)
    : int64Bytes(t.int64 ?? []);
  return message([
    ...t.dims.map((d): [number, FieldValue] => [1, { varint: d }]),
    [2, { varint: t.float32 ? ONNX_FLOAT : ONNX_INT64 }],
    [8, str(t.name)],
    [9, { bytes: raw }],
  ]);
}

function int64Bytes(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return b;
}

function encodeAttribute(name: string, a: OnnxAttribute): Uint8Array {
  // AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, strings 9, type 20 (FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7, STRINGS 8).
  if (typeof a === 'number')
    return message([
      [1, str(name)],
      [2, { float: a }],
      [20, { varint: 1 }],
    ]);
  if (typeof a === 'string')
    return message([
      [1, str(name)],
      [4, str(a)],
      [20, { varint: 3 }],
    ]);
  if ('int' in a)
    return message([
      [1, str(name)],
      [3, { varint: a.int }],
      [20, { varint: 2 }],
    ]);
  if ('ints' in a)
    return message([
      [1, str(name)],
      ...a.ints.map((v): [number, FieldValue] => [8, { varint: v }]),
      [20, { varint: 7 }],
    ]);
  if ('floats' in a)
    return message([
      [1, str(name)],
      ...a.floats.map((v): [number, FieldValue] => [7, { float: v }]),
      [20, { varint: 6 }],
    ]);
  return message([
    [1, str(name)],
    ...a.strings.map((v): [number, FieldValue] => [9, str(v) as FieldValue]),
    [20, { varint: 8 }],
  ]);
}

function encodeNode(n: OnnxNode): Uint8Array {
  return message([
    ...n.inputs.map((i): [number, FieldValue] => [1, { string: i }]),
    ...n.outputs.map((o): [number, FieldValue] => [2, { string: o }]),
    [3, str(n.name)],
    [4, str(n.op)],
    ...Object.entries(n.attributes ?? {}).map(([k, v]): [number, FieldValue] => [5, msg(encodeAttribute(k, v))]),
  ]);
}

function encodeValueInfo(v: OnnxValueInfo): Uint8Array {
  const dims = v.shape.map((d) => msg(message([typeof d === 'number' ? [1, { varint: d }] : [2, str(d)]])));
  const shape = message(dims.map((d): [number, FieldValue] => [1, d]));
  const tensorType = message([
    [1, { varint: v.elemType }],
    [2, msg(shape)],
  ]);
  return message([
    [1, str(v.name)],
    [2, msg(message([[1, msg(tensorType)]]))],
  ]);
}

/**
 * A complete ModelProto: IR version 8, the default operator set at `opset`.
 * @example encodeModel({ name: 'm', nodes, initializers, inputs, outputs, opset: 17, producer: 'Myelin' });
 */
export function encodeModel(g: {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  opset: number;
  producer: string;
  producerVersion: string;
}): Uint8Array {
  const graph = message([
    ...g.nodes.map((n): [number, FieldValue] => [1, msg(encodeNode(n))]),
    [2, str(g.name)],
    ...g.initializers.map((t): [number, FieldValue] => [5, msg(encodeTensor(t))]),
    ...g.inputs.map((v): [number, FieldValue] => [11, msg(encodeValueInfo(v))]),
    ...g.outputs.map((v): [number, FieldValue] => [12, msg(encodeValueInfo(v))]),
  ]);
  const opset = message([
    [1, str('')],
    [2, { varint: g.opset }],
  ]);
  return message([
    [1, { varint: 8 }],
    [2, str(g.producer)],
    [3, str(g.producerVersion)],
    [7, msg(graph)],
    [8, msg(opset)],
  ]);
}
