import { SHARED_OPTION_KEYS } from "../base/method.js";
import {
  dropoutRate,
  finiteNumber,
  oneOf,
  optionalNameList,
  positiveInt,
  rejectUnknownKeys,
  targetModules,
  type Options,
} from "../base/options.js";
import type { TargetModules } from "../base/targets.js";
import { MAX_ELORA_RANK } from "../elora/config.js";

/** Which projection matrices (A, B) start trainable; the freezing plugins then freeze them during training. */
export const TRAINABLE_PM = ["ffn", "attention", "all", "none"] as const;
export type TrainablePm = (typeof TRAINABLE_PM)[number];

/** AFLoRA (Liu, Kundu et al., ACL 2024): `y = W0·x + b + λb ⊙ B(λd ⊙ (A·x))`, A and B trainable until frozen. */
export interface AfloraConfig {
  readonly method: "aflora";
  readonly r: number;
  readonly dInit: number;
  readonly bInit: number;
  /** Factor on the path; the authors' GLUE code applies none (1). */
  readonly scaling: number;
  readonly dropout: number;
  /** `ffn` (default): the authors' code trains only the FFN A/B and keeps the attention A/B frozen from the start. */
  readonly trainablePm: TrainablePm;
  readonly targetModules?: TargetModules;
  readonly modulesToSave?: readonly string[];
}

export function parseAfloraConfig(options: Options): AfloraConfig {
  rejectUnknownKeys(options, [...SHARED_OPTION_KEYS, "dInit", "bInit", "scaling", "trainablePm"], "aflora");
  // The authors ran MNLI/QQP with r = 1024, wider than the 768 layers: no min(in, out) limit here.
  const r = positiveInt(options, "r", 4);
  if (r > MAX_ELORA_RANK) throw new Error(`r: ${r} is above the largest supported rank ${MAX_ELORA_RANK}`);
  return {
    method: "aflora",
    r,
    dInit: finiteNumber(options, "dInit", 0.1),
    bInit: finiteNumber(options, "bInit", 0),
    scaling: finiteNumber(options, "scaling", 1),
    dropout: dropoutRate(options, "dropout"),
    trainablePm: oneOf(options, "trainablePm", TRAINABLE_PM, "ffn"),
    targetModules: targetModules(options, "targetModules"),
    modulesToSave: optionalNameList(options, "modulesToSave"),
  };
}
