import { z } from "zod";
import type { AdamWConfig } from "../optim/adamw.js";
import { paperParamGroups } from "../optim/param-groups.js";
import { definePlugin, type PluginRegistry } from "../plugin-registry.js";

/** The name the freezing plugin registers under (kind "plugin"); methods that freeze get it attached. */
export const FREEZING_PLUGIN = "adaptive-freezing";

export interface OptimizerSettings {
  lr: number;
  weightDecay: number;
  /** The classifier head's own learning rate (the paper's). */
  headLr?: number;
  headWeightDecay: number;
}

/** What an "optimizer" plugin creates: the optimizer's configuration for a run's settings. */
export interface OptimizerFactory {
  config(settings: OptimizerSettings): AdamWConfig;
}

const adamwOptions = z
  .object({
    betas: z
      .tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)])
      .default([0.9, 0.999])
      .describe("Adam's (β1, β2) (HF adam_beta1, adam_beta2)"),
    eps: z.number().positive().default(1e-8).describe("Adam's ε (HF adam_epsilon)"),
  })
  .strict();

/** torch.optim.AdamW with the paper's parameter groups (head with its own lr; no decay on biases and LayerNorm). */
export const adamwTorch = definePlugin({
  kind: "optimizer",
  name: "adamw_torch",
  description:
    "torch.optim.AdamW (HF optim adamw_torch): bias-corrected moments, eps added to √v̂, decoupled weight decay",
  package: "@aflora/core",
  options: adamwOptions,
  create: (o): OptimizerFactory => ({
    config: (s) => ({
      lr: s.lr,
      weightDecay: s.weightDecay,
      betas: o.betas as [number, number],
      eps: o.eps,
      groups: paperParamGroups({
        ...(s.headLr !== undefined ? { headLr: s.headLr } : {}),
        weightDecay: s.headWeightDecay,
      }),
    }),
  }),
});

/** transformers' own AdamW (the default optimizer of transformers 4.31, which the AFLoRA authors pin). */
export const adamwHf = definePlugin({
  kind: "optimizer",
  name: "adamw_hf",
  description:
    "transformers.AdamW (HF optim adamw_hf, the default of transformers 4.31 the AFLoRA authors used): bias correction in the step size, eps added to √v",
  package: "@aflora/core",
  options: adamwOptions,
  create: (o): OptimizerFactory => ({
    config: (s) => ({ ...adamwTorch.create(o, undefined as never).config(s), variant: "adamw_hf" }),
  }),
});

/** Registers core's own plugins: the optimizers. */
export function registerOptimizers(registry: PluginRegistry): PluginRegistry {
  registry.register(adamwTorch);
  registry.register(adamwHf);
  return registry;
}
