/**
 * UTF-8 bytes to text the way SentencePiece decodes byte pieces: every byte that does not
 * start a valid, shortest-form sequence becomes one U+FFFD (TextDecoder would fold a broken
 * sequence into a single U+FFFD).
 */
export function decodeUtf8PerByte(bytes: readonly number[]): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    let len = 0;
    let cp = 0;
    let min = 0;
    if (b0 < 0x80) [len, cp, min] = [1, b0, 0];
    else if (b0 >= 0xc2 && b0 < 0xe0) [len, cp, min] = [2, b0 & 0x1f, 0x80];
    else if (b0 >= 0xe0 && b0 < 0xf0) [len, cp, min] = [3, b0 & 0x0f, 0x800];
    else if (b0 >= 0xf0 && b0 < 0xf5) [len, cp, min] = [4, b0 & 0x07, 0x10000];
    let ok = len > 0 && i + len <= bytes.length;
    for (let k = 1; ok && k < len; k++) {
      const b = bytes[i + k]!;
      if ((b & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (b & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += len;
    } else {
      out += "\ufffd";
      i += 1;
    }
  }
  return out;
}
