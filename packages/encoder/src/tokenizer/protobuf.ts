/** The protobuf wire format, just enough for SentencePiece's ModelProto (proto2: varint, fixed32/64, bytes). */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export interface ProtoField {
  field: number;
  wire: number;
  /** varint value (as a number; int32 negatives come back as -1 etc.) */
  varint: number;
  /** fixed32 / fixed64 raw view, or the payload of a length-delimited field */
  bytes: Uint8Array;
}

/** Iterates the fields of one message; unknown fields are simply yielded and can be skipped. */
export function* readProtoFields(buf: Uint8Array, what: string): Generator<ProtoField> {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new Error(`${what}: ${msg} at byte ${pos}`);
  };
  const varint = (): number => {
    // Fast path: up to 4 bytes (< 2^28) fits a small integer; longer ones (negative int32s) go through BigInt.
    let small = 0;
    for (let i = 0; i < 4 && pos + i < buf.length; i++) {
      const b = buf[pos + i]!;
      small |= (b & 0x7f) << (7 * i);
      if (!(b & 0x80)) {
        pos += i + 1;
        return small;
      }
    }
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) fail("varint runs past the end (truncated?)");
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7n;
      if (shift > 63n) fail("varint longer than 10 bytes");
    }
    // int32/int64 fields store negatives as 64-bit two's complement.
    return Number(BigInt.asIntN(64, result));
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) fail("field number 0 is invalid");
    switch (wire) {
      case WIRE_VARINT:
        yield { field, wire, varint: varint(), bytes: new Uint8Array(0) };
        break;
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const n = wire === WIRE_FIXED64 ? 8 : 4;
        if (pos + n > buf.length) fail("fixed-width field runs past the end (truncated?)");
        yield { field, wire, varint: 0, bytes: buf.subarray(pos, pos + n) };
        pos += n;
        break;
      }
      case WIRE_BYTES: {
        const n = varint();
        if (n < 0 || pos + n > buf.length) fail(`length-delimited field ${field} of ${n} bytes runs past the end (truncated?)`);
        yield { field, wire, varint: 0, bytes: buf.subarray(pos, pos + n) };
        pos += n;
        break;
      }
      default:
        fail(`unsupported wire type ${wire} for field ${field}`);
    }
  }
}

export function fieldFloat(f: ProtoField): number {
  return new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function fieldString(f: ProtoField, what: string): string {
  try {
    return utf8.decode(f.bytes);
  } catch {
    throw new Error(`${what}: field ${f.field} is not valid UTF-8`);
  }
}

/** Appends fields in wire format; used to build SentencePiece models for tests and fixtures. */
export class ProtoWriter {
  private parts: number[] = [];

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.parts.push(b);
    } while (x > 0n);
  }

  uint(field: number, v: number): this {
    this.varint(field * 8 + WIRE_VARINT);
    this.varint(v);
    return this;
  }

  bool(field: number, v: boolean): this {
    return this.uint(field, v ? 1 : 0);
  }

  float(field: number, v: number): this {
    this.varint(field * 8 + WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.parts.push(...b);
    return this;
  }

  bytes(field: number, v: Uint8Array): this {
    this.varint(field * 8 + WIRE_BYTES);
    this.varint(v.length);
    for (const b of v) this.parts.push(b);
    return this;
  }

  string(field: number, v: string): this {
    return this.bytes(field, new TextEncoder().encode(v));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
