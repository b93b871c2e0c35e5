import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatParityResult, runEncoderParity } from "./parity.js";

const fixtures = fileURLToPath(new URL("../../../../fixtures/hf-parity", import.meta.url));

describe.each(["cpu", "wasm"])("Hugging Face parity on %s", (backend) => {
  it("passes all six fixtures: logits, loss, pooled output, hidden states, gradients, derived tables", async () => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const results = await runEncoderParity(fixtures, { backend });
    for (const r of results) console.log(formatParityResult(r));
    expect(tf.memory().numTensors).toBe(before);
    expect(results.map((r) => r.fixture)).toEqual([
      "bert-tiny-cls3",
      "bert-tiny-stsb-regression",
      "deberta-v2-tiny-c2p-clamp",
      "deberta-v3-tiny-cls3",
      "deberta-v3-tiny-fullspan",
      "roberta-tiny-cls2",
    ]);
    for (const r of results) {
      expect(r.error, r.fixture).toBeUndefined();
      expect(r.checks.filter((c) => !c.pass), r.fixture).toEqual([]);
      expect(r.checks.some((c) => c.quantity.startsWith("grad "))).toBe(true);
    }
  });
});
