import { SHARED_OPTION_KEYS } from "../base/method.js";
import {
  boolean,
  dropoutRate,
  finiteNumber,
  optionalNameList,
  positiveInt,
  rejectUnknownKeys,
  targetModules,
  type Options,
} from "../base/options.js";
import type { TargetModules } from "../base/targets.js";

/** ELoRA / VeRA as the AFLoRA paper ran it: frozen random A, B; trainable λd, λb. */
export interface EloraConfig {
  readonly method: "elora";
  /** 1024 in the paper's ELoRA* row; may exceed the layer width (the random projection is over-complete). */
  readonly r: number;
  /** λd initial value (authors' `d_init`, VeRA `d_initial`). */
  readonly dInit: number;
  /** λb initial value. */
  readonly bInit: number;
  /** One A/B pair for all modules, sliced per module as PEFT's VeRA does; false = a pair per module (the paper's runs). */
  readonly sharedProjection: boolean;
  readonly dropout: number;
  readonly targetModules?: TargetModules;
  readonly modulesToSave?: readonly string[];
}

/** No rank above this: a larger one is almost surely a typo, and its frozen matrices alone would not fit in memory. */
export const MAX_ELORA_RANK = 8192;

export function parseEloraConfig(options: Options): EloraConfig {
  rejectUnknownKeys(options, [...SHARED_OPTION_KEYS, "dInit", "bInit", "sharedProjection"], "elora");
  const r = positiveInt(options, "r", 1024);
  if (r > MAX_ELORA_RANK) throw new Error(`r: ${r} is above the largest supported ELoRA rank ${MAX_ELORA_RANK}`);
  return {
    method: "elora",
    r,
    dInit: finiteNumber(options, "dInit", 0.1),
    bInit: finiteNumber(options, "bInit", 0),
    sharedProjection: boolean(options, "sharedProjection", false),
    dropout: dropoutRate(options, "dropout"),
    targetModules: targetModules(options, "targetModules"),
    modulesToSave: optionalNameList(options, "modulesToSave"),
  };
}
