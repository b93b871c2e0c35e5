import { createReadStream } from "node:fs";
import { TextDecoder } from "node:util";
import { DataFormatError } from "./data-format-error.js";

/**
 * A UTF-8 text file as decoded string chunks, strictly: invalid UTF-8 is a DataFormatError
 * naming the file and line (Python's open() raises too; silently replacing bytes would train
 * on U+FFFD). A missing or unreadable file is one error naming it. A leading BOM is dropped.
 */
export async function* readUtf8Chunks(file: string): AsyncGenerator<string> {
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let line = 1;
  let carry = new Uint8Array(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const bytes = carry.length > 0 ? concat(carry, chunk) : chunk;
      const cut = completeLength(bytes);
      yield decode(decoder, bytes.subarray(0, cut), file, line);
      line += countNewlines(bytes, cut);
      carry = bytes.slice(cut);
    }
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === "ENOENT"
        ? "no such file"
        : err.code === "EISDIR"
          ? "is a directory, not a file"
          : `cannot read (${err.message})`;
    throw new DataFormatError(file, null, why);
  }
  if (carry.length > 0) decode(decoder, carry, file, line); // an incomplete sequence at the end
  const rest = decoder.decode();
  if (rest) yield rest;
}

function decode(decoder: TextDecoder, bytes: Uint8Array, file: string, line: number): string {
  try {
    return decoder.decode(bytes, { stream: true });
  } catch {
    const at = firstInvalid(bytes);
    const where = line + countNewlines(bytes, at);
    const hex =
      at < bytes.length ? `byte 0x${bytes[at]!.toString(16).padStart(2, "0")}` : "a truncated character at the end";
    throw new DataFormatError(file, `line ${where}`, `invalid UTF-8 (${hex}); save the file as UTF-8`);
  }
}

/** Bytes up to the last complete UTF-8 sequence, so a character split across chunks is decoded whole. */
function completeLength(b: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= b.length; back++) {
    const c = b[b.length - back]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? b.length - back : b.length;
  }
  return b.length;
}

/** Index of the first byte that does not start a valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates). */
function firstInvalid(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let min = 0;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf) [n, min] = [2, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [3, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [4, 0x10000];
    else return i;
    if (i + n > b.length) return i;
    let cp = n === 1 ? c : c & (0xff >> (n + 1));
    for (let k = 1; k < n; k++) {
      const x = b[i + k]!;
      if ((x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n;
  }
  return b.length;
}

function countNewlines(b: Uint8Array, end: number): number {
  let n = 0;
  let i = -1;
  while ((i = b.indexOf(10, i + 1)) >= 0 && i < end) n++;
  return n;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
