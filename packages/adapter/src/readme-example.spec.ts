import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it, vi } from "vitest";

describe("README quick start", () => {
  it("is examples/quickstart.ts verbatim, and runs (wasm backend)", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../examples/quickstart.ts", import.meta.url), "utf8");
    expect(readme).toContain("```ts\n" + example + "```");
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    await import("../examples/quickstart.js");
    const lines = log.mock.calls.flatMap((c) => c.map(String).join(" ").split("\n"));
    log.mockRestore();
    expect(tf.getBackend()).toBe("wasm");
    // deberta-v3-tiny-cls3: 2 layers × (4 attention modules × (4 + 32) + intermediate (4 + 64 + 32·4 + 4·64) + output (4 + 32 + 64·4 + 4·32)).
    const adapterTrainable = 2 * (4 * 36 + (68 + 128 + 256) + (36 + 256 + 128));
    expect(lines[0]).toMatch(
      new RegExp(`^trainable params: ${(adapterTrainable + 99).toLocaleString("en-US")} \\|\\| all params: `),
    );
    expect(lines[1]).toBe(`trainable params without head: ${adapterTrainable.toLocaleString("en-US")}`);
    expect(lines[2]).toMatch(/^logits -?\d/);
    expect(lines[3]).toBe("restored 12 adapted modules; frozen: example");
  });
});
