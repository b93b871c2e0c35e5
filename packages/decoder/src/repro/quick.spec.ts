import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { checkDecoderFixture } from "./parity.js";

describe("quick", () => {
  it("runs", async () => {
    await tf.setBackend("cpu");
    for (const f of ["llama-tiny-mha", "llama-tiny-gqa", "llama-tiny-tied"]) {
      const r = await checkDecoderFixture(`../../fixtures/hf-parity-decoder/${f}`, f);
      console.log(f, r.error, r.checks.filter((c) => !c.pass).slice(0, 20), r.checks.filter((c) => c.pass && !c.quantity.startsWith("tokenizer")).map((c) => `${c.quantity}=${c.error.toExponential(2)}`).join("\n"));
    }
    expect(1).toBe(1);
  });
});
