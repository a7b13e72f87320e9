/**
 * A small builder for ONNX models, over the protobuf classes of npm:onnx-proto: tensors, nodes,
 * graph inputs and outputs, and the serialised model. Only what the project's exporters need.
 */
import * as onnxProto from "onnx-proto";

// onnx-proto is CommonJS: under Deno its namespace arrives as the default export.
const { onnx } = (onnxProto as unknown as { default?: typeof onnxProto }).default ?? onnxProto;

export const DataType = onnx.TensorProto.DataType;

/** A float32 initializer of the given shape. */
export function floatTensor(
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
): onnxProto.onnx.ITensorProto {
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`tensor ${name}: ${values.length} values for shape [${dims}]`);
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(Float32Array.from(values).buffer),
  });
}

/** An int64 initializer (shapes and axes operands). */
export function int64Tensor(
  name: string,
  dims: readonly number[],
  values: readonly number[],
): onnxProto.onnx.ITensorProto {
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: DataType.INT64,
    rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
  });
}

type AttrValue = number | string | number[] | string[] | Float32Array;

function attribute(name: string, value: AttrValue, floats: boolean): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === "string") {
    return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  }
  if (typeof value === "number") {
    return floats ? { name, type: T.FLOAT, f: value } : { name, type: T.INT, i: value };
  }
  if (value instanceof Float32Array) return { name, type: T.FLOATS, floats: [...value] };
  if (value.length > 0 && typeof value[0] === "string") {
    return { name, type: T.STRINGS, strings: (value as string[]).map((s) => new TextEncoder().encode(s)) };
  }
  return floats
    ? { name, type: T.FLOATS, floats: value as number[] }
    : { name, type: T.INTS, ints: value as number[] };
}

/**
 * A node. Attribute numbers are ints unless their name is listed in `floatAttrs` (ONNX types
 * every attribute, and JS numbers cannot tell 1 from 1.0).
 */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
  { domain = "", floatAttrs = [] as string[] } = {},
): onnxProto.onnx.INodeProto {
  return onnx.NodeProto.create({
    opType,
    input: inputs,
    output: outputs,
    name: `${opType}_${outputs[0]}`,
    domain,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v, floatAttrs.includes(k))),
  });
}

/** A graph input or output; a string dimension is symbolic (`batch`). */
export function valueInfo(
  name: string,
  elemType: number,
  dims: readonly (number | string)[],
): onnxProto.onnx.IValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => typeof d === "string" ? { dimParam: d } : { dimValue: d }) },
      },
    },
  });
}

export interface ModelSpec {
  name: string;
  inputs: onnxProto.onnx.IValueInfoProto[];
  outputs: onnxProto.onnx.IValueInfoProto[];
  nodes: onnxProto.onnx.INodeProto[];
  initializers: onnxProto.onnx.ITensorProto[];
  /** Opsets by domain; the default domain at 13 unless given. */
  opsets?: Record<string, number>;
  producer?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** Serialises a model (IR version 8) to bytes. */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const opsets = { "": 13, ...spec.opsets };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: spec.producer ?? "crypto-rt",
    opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
    docString: spec.docString ?? "",
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.name,
      node: spec.nodes,
      input: spec.inputs,
      output: spec.outputs,
      initializer: spec.initializers,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
