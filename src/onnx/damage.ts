/**
 * What is wrong with bytes that onnxruntime refused to open, for a message a person can act on:
 * onnxruntime says "protobuf parsing failed" alike for a file cut short and for one that was
 * never a model. Walks the top-level fields of the ModelProto wire format only, so it costs a
 * pass over the field headers and reads no tensor.
 */

export type OnnxDamage = "zero bytes" | "truncated" | "corrupt";

/** ModelProto's field numbers (onnx.proto3): a file using others is not a model cut short. */
const MODEL_FIELDS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25]);
/** Every serialiser writes fields in number order, so a model starts with ir_version (1, varint). */
const IR_VERSION_TAG = 0x08;

/**
 * "truncated" when the bytes begin as an ONNX model and a field runs past their end, "zero bytes"
 * when there are none, otherwise "corrupt". Only meaningful for bytes that failed to open.
 *
 * @example
 * ```ts
 * onnxDamage(modelBytes.subarray(0, 100)); // "truncated"
 * ```
 */
export function onnxDamage(bytes: Uint8Array): OnnxDamage {
  if (bytes.length === 0) return "zero bytes";
  if (bytes[0] !== IR_VERSION_TAG) return "corrupt";
  let at = 0;
  const varint = (): number | null => {
    let value = 0, scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= bytes.length) return null;
      const b = bytes[at++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    return Number.NaN;
  };
  while (at < bytes.length) {
    const tag = varint();
    if (tag === null) return "truncated";
    const field = Math.floor(tag / 8), wire = tag % 8;
    if (!MODEL_FIELDS.has(field)) return "corrupt";
    let skip: number;
    if (wire === 0) {
      const v = varint();
      if (v === null) return "truncated";
      if (Number.isNaN(v)) return "corrupt";
      skip = 0;
    } else if (wire === 1) skip = 8;
    else if (wire === 5) skip = 4;
    else if (wire === 2) {
      const len = varint();
      if (len === null) return "truncated";
      if (Number.isNaN(len)) return "corrupt";
      skip = len;
    } else return "corrupt";
    if (at + skip > bytes.length) return "truncated";
    at += skip;
  }
  return "corrupt";
}
