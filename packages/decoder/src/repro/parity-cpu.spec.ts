import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { FIXTURE_NAMES, fixture } from "../../test/fixtures.js";
import { checkDecoderFixture } from "./parity.js";

describe("Hugging Face LlamaForCausalLM parity on cpu (the exact JS reference)", () => {
  useBackend("cpu");
  it.each(FIXTURE_NAMES)(
    "%s: tokenization, padded forwards, loss, gradients and greedy decoding within the fixture tolerances",
    async (name) => {
      const before = tf.memory().numTensors;
      const r = await checkDecoderFixture(fixture(name), name);
      expect(r.error).toBeUndefined();
      expect(r.checks.filter((c) => !c.pass)).toEqual([]);
      // 41 strings × (ids, pieces, decoded), 2 batches, generation: nothing skipped.
      expect(r.checks.filter((c) => c.quantity.startsWith("tokenizer[")).length).toBe(123);
      expect(r.checks.some((c) => c.quantity === "generation.new_tokens")).toBe(true);
      expect(r.checks.filter((c) => c.quantity.includes(" grad ")).length).toBe(
        2 * (name === "llama-tiny-tied" ? 15 : 18),
      );
      expect(r.pass).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
