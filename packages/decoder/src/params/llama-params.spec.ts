import { describe, expect, it } from "vitest";
import { LLAMA_7B_CONFIG, llamaParamsReport } from "./llama-params.js";

// Hand counts for LLaMA-7B (32 layers, hidden 4096, intermediate 11008, vocab 32000), r = 32 on
// q_proj, k_proj, v_proj (4096→4096), up_proj (4096→11008), down_proj (11008→4096):
//   LoRA per module r·(in + out): q, k, v 32·8192 = 262,144 each; up, down 32·15,104 = 483,328 each
//   per layer 3·262,144 + 2·483,328 = 1,753,088; 32 layers → 56,098,816
//   AFLoRA adds λd [r] and λb [out] per module: 3·(32 + 4096) + (32 + 11008) + (32 + 4096) = 27,552 per layer → 881,664
//   base: embed 32000·4096 = 131,072,000 (and lm_head the same), per layer 4·4096² + 3·4096·11008 + 2·4096
//   = 202,383,360 → 6,476,267,520; final norm 4096; total 6,738,415,616 (LLaMA-7B's published size).
describe("llamaParamsReport (aflora params for LLaMA-7B)", () => {
  it("counts the base model by hand", () => {
    const r = llamaParamsReport({ ...LLAMA_7B_CONFIG }, { method: "lora" });
    expect(r.base).toBe(131_072_000 * 2 + 202_383_360 * 32 + 4096);
    expect(r.base).toBe(6_738_415_616);
  });

  it("counts LoRA r = 32 on q, k, v, up, down", () => {
    const r = llamaParamsReport({ ...LLAMA_7B_CONFIG }, { method: "lora" });
    expect(r.adapter.total).toBe(32 * (3 * 262_144 + 2 * 483_328));
    expect(r.adapter.total).toBe(56_098_816);
    expect(r.adapter.trainable).toBe(56_098_816);
    expect(r.adapter.trainableAfterFreezing).toBe(0);
    expect(r.total).toBe(6_738_415_616 + 56_098_816);
    expect(r.trainablePercent).toBeCloseTo((100 * 56_098_816) / (6_738_415_616 + 56_098_816), 10);
  });

  it("counts AFLoRA r = 32: the LoRA matrices plus λd and λb, all trainable until frozen", () => {
    const r = llamaParamsReport({ ...LLAMA_7B_CONFIG }, { method: "aflora" });
    expect(r.adapter.trainableMatrices).toBe(56_098_816);
    expect(r.adapter.total).toBe(56_098_816 + 32 * 27_552);
    expect(r.adapter.trainable).toBe(56_980_480);
    expect(r.adapter.trainableAfterFreezing).toBe(881_664);
  });

  it("follows grouped-query attention: k and v shrink with num_key_value_heads", () => {
    const r = llamaParamsReport(
      { ...LLAMA_7B_CONFIG, num_key_value_heads: 8 },
      { method: "lora", targetModules: ["k_proj"] },
    );
    // k_proj is 4096 → 8·128 = 1024
    expect(r.adapter.total).toBe(32 * 32 * (4096 + 1024));
  });

  it("names the bad config field", () => {
    expect(() => llamaParamsReport({ ...LLAMA_7B_CONFIG, hidden_size: -1 }, { method: "lora" })).toThrow(
      /"hidden_size" must be a positive integer/,
    );
  });
});
