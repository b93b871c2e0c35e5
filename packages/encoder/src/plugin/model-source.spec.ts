import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { PluginRegistry, type ModelSource } from "@aflora/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { register } from "./register.js";

const task = { name: "t", labels: ["no", "yes"], numLabels: 2, problemType: "single_label_classification" };

describe('model plugin "encoder"', () => {
  it("builds the demo encoder with the task's labels, and saves a folder that loads alone (weights, config, tokenizer)", async () => {
    await tf.setBackend("cpu");
    const before = tf.memory().numTensors;
    const source = register(new PluginRegistry()).create<ModelSource>(
      "model",
      { name: "encoder", path: "demo" },
      container.createChildContainer(),
    );
    expect(source.nameOrPath).toBeNull();
    const loaded = await source.load({ task, seed: 1, warn: () => {} });
    expect(loaded.modelConfig).toMatchObject({ num_labels: 2, id2label: { "0": "no", "1": "yes" } });
    expect(loaded.randomInit).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "encoder-save-"));
    loaded.save(dir);
    for (const f of ["config.json", "model.safetensors", "tokenizer.json"])
      expect(existsSync(join(dir, f)), f).toBe(true);
    const again = await register(new PluginRegistry())
      .create<ModelSource>("model", { name: "encoder", path: dir }, container.createChildContainer())
      .load({ task, seed: 2, warn: () => {} });
    expect(again.randomInit).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).num_labels).toBe(2);
    loaded.model.params.dispose();
    again.model.params.dispose();
    rmSync(dir, { recursive: true, force: true });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('passes recompute (HF\'s gradient_checkpointing) to the model; "auto" by default', async () => {
    await tf.setBackend("cpu");
    const recomputeOf = async (options: Record<string, unknown>) => {
      const loaded = await register(new PluginRegistry())
        .create<ModelSource>("model", { name: "encoder", path: "demo", ...options }, container.createChildContainer())
        .load({ task, seed: 1, warn: () => {} });
      const r = (loaded.model as unknown as { recompute: boolean | "auto" }).recompute;
      loaded.model.params.dispose();
      return r;
    };
    expect(await recomputeOf({})).toBe("auto");
    expect(await recomputeOf({ recompute: true })).toBe(true);
    expect(await recomputeOf({ recompute: false })).toBe(false);
  });

  it("says 'no such folder' for a path that does not exist, instead of trying the hub", async () => {
    const source = register(new PluginRegistry()).create<ModelSource>(
      "model",
      { name: "encoder", path: "./models/nope" },
      container.createChildContainer(),
    );
    await expect(source.load({ task, seed: 1, warn: () => {} })).rejects.toThrow(
      /^model\.path: no such folder: .*models\/nope$/,
    );
  });
});
