import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic.js";

const dir = mkdtempSync(join(tmpdir(), "aflora-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("replaces a file's content and leaves no temp file behind", async () => {
    const p = join(dir, "a.json");
    writeFileSync(p, "old");
    await writeFileAtomic(p, "new content");
    expect(readFileSync(p, "utf8")).toBe("new content");
    writeFileAtomicSync(p, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(["a.json"]);
  });

  it("fails with the path and keeps the old file when the directory is missing", async () => {
    const p = join(dir, "missing", "b.bin");
    await expect(writeFileAtomic(p, "x")).rejects.toThrow(/writeFileAtomic .*missing\/b\.bin: /);
    expect(() => writeFileAtomicSync(p, "x")).toThrow(/writeFileAtomic .*missing\/b\.bin: /);
  });
});
