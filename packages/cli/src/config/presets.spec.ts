import { describe, expect, it } from "vitest";
import { createPluginRegistry } from "../integrations/plugins.js";
import { listPresets, loadPreset } from "./presets.js";
import { resolveConfig } from "./resolve-config.js";

/**
 * The authors' per-task settings (PAPER.md §4.1 scripts, §3.3 ipt_all_tasks_config):
 * epochs, lr, classifier lr, t_i and t_f in epochs, GPUs (effective batch = 64 × GPUs).
 */
const TABLE = {
  cola: { epochs: 20, lr: 1e-2, classifierLr: 4e-2, ti: 1, tf: 14, gpus: 1 },
  mrpc: { epochs: 20, lr: 1e-2, classifierLr: 8e-2, ti: 1, tf: 14, gpus: 1 },
  rte: { epochs: 20, lr: 1e-2, classifierLr: 4e-2, ti: 1, tf: 14, gpus: 1 },
  stsb: { epochs: 20, lr: 2e-2, classifierLr: 2e-2, ti: 1, tf: 14, gpus: 1 },
  sst2: { epochs: 10, lr: 4e-3, classifierLr: 4e-3, ti: 1, tf: 7, gpus: 1 },
  qnli: { epochs: 10, lr: 1e-3, classifierLr: 4e-3, ti: 1, tf: 7, gpus: 4 },
  mnli: { epochs: 10, lr: 1e-2, classifierLr: 4e-3, ti: 1, tf: 7, gpus: 4 },
  qqp: { epochs: 10, lr: 4e-3, classifierLr: 4e-3, ti: 1, tf: 7, gpus: 4 },
} as const;

describe("GLUE presets", () => {
  it("exist for exactly the eight tasks (plus the demos and the LLaMA run)", () => {
    expect(listPresets()).toEqual(
      ["demo", "llama-tiny-demo", "llama/7b-math-aflora", ...Object.keys(TABLE).map((t) => `glue/${t}`)].sort(),
    );
  });

  for (const [task, row] of Object.entries(TABLE)) {
    it(`glue/${task} carries the authors' hyperparameters`, async () => {
      const p = loadPreset(`glue/${task}`) as {
        training: Record<string, unknown>;
        schedule: Record<string, unknown>;
        scorer: Record<string, unknown>;
      };
      expect(p).toMatchObject({
        adapter: { name: "aflora" },
        data: `glue:${task}`,
        model: "microsoft/deberta-v3-base",
      });
      expect((await resolveConfig({ preset: `glue/${task}` }, createPluginRegistry())).data).toEqual({
        name: `glue/${task}`,
      });
      expect(p.training).toEqual({
        epochs: row.epochs,
        batchSize: 64,
        gradientAccumulation: row.gpus,
        lr: row.lr,
        classifierLr: row.classifierLr,
        weightDecay: 0.1,
        classifierWeightDecay: 0.1,
        warmupRatio: 0.06,
        maxGradNorm: 0.1,
        maxSeqLength: 256,
        seed: 42,
        evalEvery: "epoch",
        // transformers 4.31's default optimizer, which the authors' runs used
        optim: "adamw_hf",
      });
      expect(p.schedule).toEqual({ name: "cubic", initialWarmupEpochs: row.ti, finalWarmupEpochs: row.tf });
      expect(p.scorer).toEqual({ name: "aflora", beta1: 0.85, beta2: 0.95, deltaT: 10 });
      // t_f is 70 % of training in every task
      expect(row.tf / row.epochs).toBe(0.7);
    });
  }

  it("--method gives the paper's ranks: AFLoRA r=4, LoRA r=8, ELoRA r=1024", async () => {
    const reg = createPluginRegistry();
    const rank = async (method: string) =>
      (await resolveConfig({ preset: "glue/mrpc", flags: { method } }, reg)).adapter.r;
    expect([await rank("aflora"), await rank("lora"), await rank("elora")]).toEqual([4, 8, 1024]);
    expect((await resolveConfig({ preset: "glue/mrpc", flags: { method: "full" } }, reg)).adapter).toEqual({
      name: "full",
    });
  });
});
