import { describe, expect, it } from "vitest";
import { countParameters, formatParameterCounts } from "./counts.js";
import { DEFAULT_TARGET_MODULES } from "../base/targets.js";
import { debertaV3BaseModules } from "../../test/deberta-v3-base.js";

const modules = debertaV3BaseModules();
const defaults = { defaultTargets: DEFAULT_TARGET_MODULES["deberta-v2"], headModules: ["classifier"] };

describe("countParameters on DeBERTa-v3-base (classifier excluded), the paper's Table 1 numbers", () => {
  it("LoRA r=8 on the six projections: 1,327,104 (1.33M)", () => {
    const c = countParameters(modules, { method: "lora", r: 8 }, defaults);
    expect(c.trainable).toBe(1_327_104);
    expect(c.total).toBe(1_327_104);
  });

  it("ELoRA r=1024: 156,672 trainable (0.16M); the frozen projections are not counted as trainable", () => {
    const c = countParameters(modules, { method: "elora", r: 1024 }, defaults);
    expect(c.trainable).toBe(156_672);
    // 12 × (4·(768·1024 + 1024·768) + 2·(768·1024 + 1024·3072)) frozen elements on top.
    expect(c.total - c.trainable).toBe(12 * (4 * 2 * 768 * 1024 + 2 * (768 * 1024 + 1024 * 3072)));
    const shared = countParameters(modules, { method: "elora", r: 1024, sharedProjection: true }, defaults);
    expect(shared.trainable).toBe(156_672);
    expect(shared.total - shared.trainable).toBe(1024 * 3072 + 3072 * 1024);
  });

  it("AFLoRA r=4: 451,872 at the start (FFN A/B trainable) and 83,232 once every A/B is frozen", () => {
    const c = countParameters(modules, { method: "aflora" }, defaults);
    expect(c.trainable).toBe(451_872);
    expect(c.trainableAfterFreezing).toBe(83_232);
    // 48 freezable FFN matrices: N0 = 12 × 30,720 (PAPER §1.4).
    expect(c.trainableMatrices).toBe(368_640);
    expect(countParameters(modules, { method: "aflora", trainablePm: "none" }, defaults).trainable).toBe(83_232);
    const all = countParameters(modules, { method: "aflora", trainablePm: "all" }, defaults);
    expect(all.trainable).toBe(83_232 + 12 * (4 * 2 * 4 * 768 + 2 * 4 * (768 + 3072)));
    const attention = countParameters(modules, { method: "aflora", trainablePm: "attention" }, defaults);
    expect(attention.trainable).toBe(83_232 + 12 * 4 * 2 * 4 * 768);
  });

  it("formats like PEFT's print_trainable_parameters", () => {
    expect(
      formatParameterCounts({ total: 185_000_000, trainable: 1_327_104 + 1538, trainableWithoutHead: 1_327_104 }),
    ).toBe(
      "trainable params: 1,328,642 || all params: 185,000,000 || trainable%: 0.7182\ntrainable params without head: 1,327,104",
    );
  });
});
