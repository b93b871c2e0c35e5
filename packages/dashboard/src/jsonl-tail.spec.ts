import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JsonlTail } from "./jsonl-tail.js";

const dir = mkdtempSync(join(tmpdir(), "dash-tail-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("JsonlTail", () => {
  it("returns only the complete lines appended since the last read, skipping malformed ones", () => {
    const path = join(dir, "a.jsonl");
    writeFileSync(path, '{"type":"a","n":1}\nnot json\n{"type":"b","n":2}\n{"type":"c",');
    const tail = new JsonlTail(path);
    expect(tail.read().records).toEqual([
      { type: "a", n: 1 },
      { type: "b", n: 2 },
    ]);
    expect(tail.malformed).toBe(1);
    expect(tail.read().records).toEqual([]); // the half-written line waits
    appendFileSync(path, '"n":3}\n[1,2]\n{"type":"d"}\n');
    expect(tail.read().records).toEqual([{ type: "c", n: 3 }, { type: "d" }]);
    expect(tail.malformed).toBe(2); // an array is not an event
  });

  it("drops lines by prefix before parsing", () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(path, '{"type":"step:gradients","variables":["x"]}\n{"type":"step:end"}\n');
    expect(new JsonlTail(path, ['{"type":"step:gradients"']).read().records).toEqual([{ type: "step:end" }]);
  });

  it("keeps a UTF-8 character split across reads whole", () => {
    const path = join(dir, "c.jsonl");
    const line = Buffer.from('{"type":"é"}\n');
    writeFileSync(path, line.subarray(0, 10)); // cuts é (2 bytes) in half
    const tail = new JsonlTail(path);
    expect(tail.read().records).toEqual([]);
    appendFileSync(path, line.subarray(10));
    expect(tail.read().records).toEqual([{ type: "é" }]);
  });

  it("starts again when the file was rewritten shorter", () => {
    const path = join(dir, "d.jsonl");
    writeFileSync(path, '{"type":"a"}\n{"type":"b"}\n');
    const tail = new JsonlTail(path);
    tail.read();
    writeFileSync(path, '{"type":"z"}\n');
    expect(tail.read()).toEqual({ records: [{ type: "z" }], reset: true });
  });

  it("reads nothing from a missing file", () => {
    expect(new JsonlTail(join(dir, "missing.jsonl")).read()).toEqual({ records: [], reset: false });
  });
});
