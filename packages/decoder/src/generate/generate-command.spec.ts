import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { applyAdapter, removeAdapter, saveAdapter } from "@aflora/adapter";
import { Rng } from "@aflora/core";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "../../test/backend.js";
import { fixture } from "../../test/fixtures.js";
import { loadCausalLM } from "../load/load-causal-lm.js";
import { generate } from "./generate.js";
import { runGenerate } from "./generate-command.js";

describe("runGenerate (aflora generate --model <folder> [--adapter <run>] --prompt ...)", () => {
  useBackend("wasm");
  const run = mkdtempSync(join(tmpdir(), "llama-run-"));
  afterAll(() => rmSync(run, { recursive: true, force: true }));
  const prompts = ["Q: Ken has 8 shells and buys 29 more. How many?\nA:", "Q: 2 + 2?\nA:"];

  it("generates from a model folder, and with a trained LoRA adapter from a run folder", async () => {
    const before = tf.memory().numTensors;
    const folder = fixture("llama-tiny-mha");
    const base = await runGenerate({ model: folder, prompts, maxNewTokens: 6 });
    expect(base.map((g) => g.prompt)).toEqual(prompts);
    // A LoRA with a large random B changes the model; saved where a run keeps it (<run>/adapter).
    const { model, tokenizer } = await loadCausalLM(folder);
    const adapter = applyAdapter(
      model,
      { method: "lora", r: 4, alpha: 32, targetModules: ["q_proj", "v_proj", "up_proj"] },
      { rng: new Rng(3) },
    );
    for (const name of adapter.parameterNames.filter((n) => n.includes("lora_B"))) {
      const v = model.params.get(name).variable;
      tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, "float32", 7)));
    }
    await saveAdapter(adapter, join(run, "adapter"));
    const expected = generate(model, tokenizer, prompts, { maxNewTokens: 6 });
    removeAdapter(adapter);
    model.dispose();
    const tuned = await runGenerate({ model: folder, adapter: run, prompts, maxNewTokens: 6 });
    expect(tuned.map((g) => g.tokens)).toEqual(expected.map((g) => g.tokens));
    expect(tuned.map((g) => g.tokens)).not.toEqual(base.map((g) => g.tokens));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("names what --adapter must hold, and asks for a prompt", async () => {
    await expect(
      runGenerate({ model: fixture("llama-tiny-mha"), adapter: join(run, "nothing"), prompts }),
    ).rejects.toThrow(/--adapter .*nothing: no adapter_config\.json/);
    await expect(runGenerate({ model: fixture("llama-tiny-mha"), prompts: [] })).rejects.toThrow(
      /--prompt: give at least one prompt/,
    );
  });
});
