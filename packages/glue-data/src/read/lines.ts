import { readUtf8Chunks } from "./utf8-chunks.js";

/**
 * Lines of a UTF-8 text file, streamed in 64 KiB chunks (memory stays bounded by the
 * longest line, and a long line costs time linear in its length: each chunk is searched
 * once and a line's pieces are joined once). Splits on "\n" only and drops a trailing "\r";
 * strips a leading BOM; invalid UTF-8 is an error naming the line. Line numbers are 1-based.
 */
export async function* readLines(file: string): AsyncGenerator<{ line: string; lineNumber: number }> {
  let pieces: string[] = [];
  let lineNumber = 0;
  const finish = (last: string) => {
    pieces.push(last);
    const line = pieces.length === 1 ? pieces[0]! : pieces.join("");
    pieces = [];
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  };
  for await (const text of readUtf8Chunks(file)) {
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      yield { line: finish(text.slice(start, nl)), lineNumber: ++lineNumber };
      start = nl + 1;
    }
    if (start < text.length) pieces.push(text.slice(start));
  }
  if (pieces.length > 0) yield { line: finish(""), lineNumber: ++lineNumber };
}
