import type { SafetensorsData, SafetensorsDtype } from "@aflora/core";

/** The typed array core's safetensors reader uses for each dtype (F16/BF16 as raw Uint16 bits). */
export function typedArrayFor(dtype: SafetensorsDtype, buf: ArrayBuffer): SafetensorsData {
  switch (dtype) {
    case "F64":
      return new Float64Array(buf);
    case "F32":
      return new Float32Array(buf);
    case "F16":
    case "BF16":
      return new Uint16Array(buf);
    case "I64":
      return new BigInt64Array(buf);
    case "I32":
      return new Int32Array(buf);
    case "I16":
      return new Int16Array(buf);
    case "I8":
      return new Int8Array(buf);
    case "U8":
    case "BOOL":
      return new Uint8Array(buf);
  }
}
