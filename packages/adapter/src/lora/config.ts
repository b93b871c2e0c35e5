import { SHARED_OPTION_KEYS } from "../base/method.js";
import {
  dropoutRate,
  finiteNumber,
  optionalNameList,
  positiveInt,
  rejectUnknownKeys,
  targetModules,
  type Options,
} from "../base/options.js";
import type { TargetModules } from "../base/targets.js";

/** LoRA (Hu et al. 2021): `y = W0·x + b + (alpha/r)·B(A·x)`. Defaults are PEFT's LoraConfig defaults. */
export interface LoraConfig {
  readonly method: "lora";
  readonly r: number;
  /** PEFT `lora_alpha`; the path is scaled by alpha / r. */
  readonly alpha: number;
  readonly dropout: number;
  readonly targetModules?: TargetModules;
  readonly modulesToSave?: readonly string[];
}

export function parseLoraConfig(options: Options): LoraConfig {
  rejectUnknownKeys(options, [...SHARED_OPTION_KEYS, "alpha"], "lora");
  const r = positiveInt(options, "r", 8);
  return {
    method: "lora",
    r,
    alpha: finiteNumber(options, "alpha", 8),
    dropout: dropoutRate(options, "dropout"),
    targetModules: targetModules(options, "targetModules"),
    modulesToSave: optionalNameList(options, "modulesToSave"),
  };
}
