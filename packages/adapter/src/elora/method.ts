import type { AdapterMethod } from "../base/method.js";
import { KAIMING_BOTH, moduleTensors, sharedProjection } from "../base/low-rank-plan.js";
import { SHARED_A, SHARED_B, type AdapterPlan } from "../base/plan.js";
import { parseEloraConfig, type EloraConfig } from "./config.js";

export const eloraMethod: AdapterMethod<EloraConfig> = {
  name: "elora",
  description:
    "ELoRA/VeRA: y = W0·x + λb ⊙ B(λd ⊙ A·x); A, B random Kaiming-uniform and frozen; λd = 0.1, λb = 0 trainable",
  parse: parseEloraConfig,
  plan(modules, config): AdapterPlan {
    const shared = config.sharedProjection ? { a: SHARED_A, b: SHARED_B } : undefined;
    const built = modules.map((m) =>
      moduleTensors(m, {
        r: config.r,
        init: KAIMING_BOTH,
        matricesTrainable: false,
        vectors: { d: config.dInit, b: config.bInit },
        scaling: 1,
        dropout: config.dropout,
        shared,
      }),
    );
    const sharedTensors = shared ? sharedProjection(modules, config.r, KAIMING_BOTH) : [];
    return { tensors: [...sharedTensors, ...built.flatMap((x) => x.tensors)], modules: built.map((x) => x.plan) };
  },
};
