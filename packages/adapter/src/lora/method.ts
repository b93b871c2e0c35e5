import type { AdapterMethod } from "../base/method.js";
import { moduleTensors, type MatrixInit } from "../base/low-rank-plan.js";
import { constant, kaimingUniform } from "../base/init.js";
import type { AdapterPlan } from "../base/plan.js";
import { parseLoraConfig, type LoraConfig } from "./config.js";

/** PEFT's `init_lora_weights=True`: A ~ kaiming_uniform_(a=√5) (bound 1/√in), B = 0, so the path starts at 0. */
const LORA_INIT: MatrixInit = {
  a: (r, n, rng) => kaimingUniform(r * n, n, rng, Math.sqrt(5)),
  b: (out, r) => constant(out * r, 0),
};

export const loraMethod: AdapterMethod<LoraConfig> = {
  name: "lora",
  description: "LoRA: y = W0·x + (alpha/r)·B·A·x; A Kaiming-uniform, B zeros, both trainable",
  parse: parseLoraConfig,
  plan(modules, config, context): AdapterPlan {
    // A new LoRA above min(in, out) only adds parameters; a file may hold one (an ELoRA r=1024 exported as LoRA).
    for (const m of context?.fromFile ? [] : modules) {
      const limit = Math.min(m.inFeatures, m.outFeatures);
      if (config.r > limit) {
        throw new Error(
          `r: rank ${config.r} exceeds min(in, out) = ${limit} of module ${m.name} [${m.inFeatures} → ${m.outFeatures}]; a LoRA update cannot have a higher rank`,
        );
      }
    }
    const built = modules.map((m) =>
      moduleTensors(m, {
        r: config.r,
        init: LORA_INIT,
        matricesTrainable: true,
        scaling: config.alpha / config.r,
        dropout: config.dropout,
      }),
    );
    return { tensors: built.flatMap((x) => x.tensors), modules: built.map((x) => x.plan) };
  },
};
