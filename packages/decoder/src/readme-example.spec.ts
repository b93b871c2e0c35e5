import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it, vi } from "vitest";

describe("README quick start", () => {
  it("is examples/generate.ts verbatim, and runs on wasm", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../examples/generate.ts", import.meta.url), "utf8");
    expect(readme).toContain("```ts\n" + example + "```");
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    await import("../examples/generate.js");
    const lines = log.mock.calls.flatMap((c) => c.map(String).join(" ").split("\n"));
    log.mockRestore();
    expect(tf.getBackend()).toBe("wasm");
    expect(lines[0]).toBe("2 layers, 4 heads, 2 kv heads");
    // llama-tiny-gqa, r = 32: q (64→64), k, v (64→32), up (64→128), down (128→64) per layer:
    // A+B 32·(128 + 96 + 96 + 192 + 192) = 22,528; λd 5·32 = 160; λb 64 + 32 + 32 + 128 + 64 = 320 → 23,008 × 2 layers.
    expect(lines[1]).toMatch(/^trainable params: 46,016 \|\| all params: /);
    // AFLoRA starts with λb = 0: the model is unchanged, so the text is HF's greedy text for this prompt.
    expect(lines[3]).toBe(JSON.stringify("\u0006 anaalliiii\ufffd"));
  });
});
