import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { generateArithmeticSet } from "./generate/arithmetic-set.js";

describe("README quick start", () => {
  it("is examples/quickstart.ts verbatim, and runs", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../examples/quickstart.ts", import.meta.url), "utf8");
    expect(readme).toContain("```ts\n" + example + "```");
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    await import("../examples/quickstart.js");
    const lines = log.mock.calls.map((c) => c.map(String).join(" "));
    log.mockRestore();
    const sevens = generateArithmeticSet({ seed: 0, train: 0, heldOut: 20 }).heldOut.filter(
      (r) => r.answer === "7",
    ).length;
    expect(lines[0]).toBe(`accuracy ${sevens}/20`);
    const file = lines[1]!.replace("predictions in ", "");
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(20);
    rmSync(dirname(file), { recursive: true, force: true });
  });
});
