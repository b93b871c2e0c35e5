import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { PluginRegistry, Rng, type AdapterFactory, type LoadedModel } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { register } from "../register.js";
import { useCpuBackend } from "../../test/backend.js";
import { tinyModel } from "../../test/tiny-model.js";

useCpuBackend();

describe("full fine-tuning", () => {
  it("makes every base parameter trainable, saves the whole model through the model's own writer, and undoes it", async () => {
    const model = tinyModel();
    const base = model.params.names({ group: "base" });
    expect(base.length).toBeGreaterThan(0);
    // Pre-trained weights start frozen, as a loaded encoder's do.
    model.params.freeze(base, "pre-trained");
    expect(model.params.list({ trainable: true }).some((p) => p.group === "base")).toBe(false);
    const saved: string[] = [];
    const loaded = {
      nameOrPath: null,
      taskType: "SEQ_CLS",
      save: (dir: string) => saved.push(dir),
    } as unknown as LoadedModel;
    const factory = register(new PluginRegistry()).create<AdapterFactory>("adapter", { name: "full" }, {} as never);
    expect(factory.freezing).toBe(false);
    const run = factory.apply(model as never, { rng: new Rng(0), loaded });
    expect(
      model.params
        .list({ trainable: true })
        .filter((p) => p.group === "base")
        .map((p) => p.name)
        .sort(),
    ).toEqual([...base].sort());
    const dir = mkdtempSync(join(tmpdir(), "full-"));
    await run.save(dir);
    expect(saved).toEqual([join(dir, "model")]);
    run.dispose();
    expect(model.params.list({ trainable: true }).some((p) => p.group === "base")).toBe(false);
    rmSync(dir, { recursive: true, force: true });
    model.dispose();
  });
});
