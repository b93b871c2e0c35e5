import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

const CHUNK = 1 << 20;

/**
 * Reads a growing JSONL file incrementally: each `read()` returns the complete lines appended
 * since the last call. A line without its newline yet (a writer mid-append) waits for the next
 * call; a line that is not JSON is skipped and counted. A file that shrank was rewritten: it is
 * read again from the start (`reset` is true then).
 */
export class JsonlTail {
  private offset = 0;
  private partial = "";
  // Keeps a UTF-8 character split across two reads whole.
  private decoder = new StringDecoder("utf8");
  /** Lines that were not valid JSON objects. */
  malformed = 0;

  constructor(
    readonly path: string,
    /** Lines starting with one of these are dropped before parsing (large records nobody shows). */
    private readonly skipPrefixes: readonly string[] = [],
  ) {}

  read(): { records: Record<string, unknown>[]; reset: boolean } {
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch {
      return { records: [], reset: false };
    }
    const records: Record<string, unknown>[] = [];
    let reset = false;
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        this.offset = 0;
        this.partial = "";
        this.decoder = new StringDecoder("utf8");
        this.malformed = 0;
        reset = true;
      }
      const buf = Buffer.allocUnsafe(CHUNK);
      while (this.offset < size) {
        const n = readSync(fd, buf, 0, Math.min(CHUNK, size - this.offset), this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.partial + this.decoder.write(buf.subarray(0, n));
        const lines = text.split("\n");
        this.partial = lines.pop()!;
        for (const line of lines) this.parse(line, records);
      }
    } finally {
      closeSync(fd);
    }
    return { records, reset };
  }

  private parse(line: string, out: Record<string, unknown>[]): void {
    if (!line.trim()) return;
    for (const p of this.skipPrefixes) if (line.startsWith(p)) return;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) out.push(v as Record<string, unknown>);
      else this.malformed++;
    } catch {
      this.malformed++;
    }
  }
}
