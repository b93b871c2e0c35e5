import { createReadStream } from "node:fs";

/**
 * Lines of a UTF-8 text file, streamed in 64 KiB chunks (memory stays bounded by the
 * longest line). Splits on "\n" only and drops a trailing "\r"; strips a leading BOM.
 * Line numbers are 1-based.
 */
export async function* readLines(file: string): AsyncGenerator<{ line: string; lineNumber: number }> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 16 });
  let pending = "";
  let lineNumber = 0;
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = pending + chunk;
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { line: text.slice(start, end), lineNumber: ++lineNumber };
      start = nl + 1;
    }
    pending = text.slice(start);
  }
  if (pending.length > 0) {
    yield { line: pending.endsWith("\r") ? pending.slice(0, -1) : pending, lineNumber: ++lineNumber };
  }
}
