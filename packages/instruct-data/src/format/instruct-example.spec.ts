import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readInstructFile } from "./instruct-example.js";

const dir = mkdtempSync(join(tmpdir(), "aflora-instruct-format-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readInstructFile", () => {
  it("reads a JSON array (math_10k.json) and JSON Lines, keeping instruction, input, output and answer", () => {
    const recs = [
      { instruction: "What is 1 + 1?", input: "", output: "1 + 1 = 2\nThe answer is 2", answer: "2" },
      { instruction: "Pick.", input: null, output: "B", answer: "B", extra: 1 },
    ];
    writeFileSync(join(dir, "a.json"), JSON.stringify(recs));
    writeFileSync(join(dir, "a.jsonl"), recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const want = [recs[0], { instruction: "Pick.", output: "B", answer: "B" }];
    expect(readInstructFile(join(dir, "a.json"))).toEqual(want);
    expect(readInstructFile(join(dir, "a.jsonl"))).toEqual(want);
  });

  it("names the file, record or line, and field of bad input", () => {
    writeFileSync(join(dir, "b.json"), JSON.stringify([{ instruction: "ok" }, { input: "no instruction" }]));
    expect(() => readInstructFile(join(dir, "b.json"))).toThrow(`${join(dir, "b.json")}: record 1: instruction: `);
    writeFileSync(join(dir, "c.json"), JSON.stringify({ instruction: "x" }));
    expect(() => readInstructFile(join(dir, "c.json"))).toThrow(/c\.json: expected a JSON array/);
    writeFileSync(join(dir, "d.jsonl"), '{"instruction": "x"}\n{oops\n');
    expect(() => readInstructFile(join(dir, "d.jsonl"))).toThrow(/d\.jsonl:2: not valid JSON/);
    expect(() => readInstructFile(join(dir, "missing.json"))).toThrow(/missing\.json: cannot read/);
  });
});
