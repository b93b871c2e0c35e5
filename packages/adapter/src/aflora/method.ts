import type { AdapterMethod } from "../base/method.js";
import { KAIMING_BOTH, moduleTensors } from "../base/low-rank-plan.js";
import { moduleKind } from "../base/module-kind.js";
import type { AdapterPlan } from "../base/plan.js";
import { parseAfloraConfig, type AfloraConfig, type TrainablePm } from "./config.js";

function matricesTrainable(name: string, pm: TrainablePm): boolean {
  if (pm === "all") return true;
  if (pm === "none") return false;
  return moduleKind(name) === pm;
}

export const afloraMethod: AdapterMethod<AfloraConfig> = {
  name: "aflora",
  description:
    "AFLoRA: y = W0·x + λb ⊙ B(λd ⊙ A·x), r = 4; A, B Kaiming-uniform and trainable (FFN by default) until adaptively frozen; λd = 0.1, λb = 0",
  parse: parseAfloraConfig,
  plan(modules, config): AdapterPlan {
    const built = modules.map((m) =>
      moduleTensors(m, {
        r: config.r,
        init: KAIMING_BOTH,
        matricesTrainable: matricesTrainable(m.name, config.trainablePm),
        vectors: { d: config.dInit, b: config.bInit },
        scaling: config.scaling,
        dropout: config.dropout,
      }),
    );
    return { tensors: built.flatMap((x) => x.tensors), modules: built.map((x) => x.plan) };
  },
};
