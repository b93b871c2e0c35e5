export const utf8Encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is text (sentencepiece keeps it), not a byte-order mark to drop.
export const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Byte length of the UTF-8 character starting with `lead`, from its high nibble (sentencepiece's OneCharLen). */
export function oneCharLen(lead: number): number {
  const hi = lead >> 4;
  return hi < 0xc ? 1 : hi < 0xe ? 2 : hi === 0xe ? 3 : 4;
}

/**
 * Length of the valid UTF-8 character at `pos`, or 0 when the bytes there are not one
 * (sentencepiece's IsValidDecodeUTF8: overlong forms, surrogates and values past U+10FFFF are invalid).
 */
export function validCharLen(bytes: Uint8Array, pos: number, end: number): number {
  const b0 = bytes[pos]!;
  if (b0 < 0x80) return 1;
  const n = oneCharLen(b0);
  if (n === 1 || pos + n > end) return 0;
  let cp = b0 & (n === 2 ? 0x1f : n === 3 ? 0x0f : 0x07);
  for (let k = 1; k < n; k++) {
    const b = bytes[pos + k]!;
    if ((b & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  const min = n === 2 ? 0x80 : n === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

/** A growable byte buffer. */
export class ByteBuffer {
  private buf = new Uint8Array(64);
  length = 0;

  push(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }

  append(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const n = end - start;
    if (this.length + n > this.buf.length) this.grow(n);
    this.buf.set(bytes.subarray(start, end), this.length);
    this.length += n;
  }

  endsWith(tail: Uint8Array): boolean {
    if (tail.length > this.length) return false;
    for (let i = 0; i < tail.length; i++) if (this.buf[this.length - tail.length + i] !== tail[i]) return false;
    return true;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  private grow(n: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}
